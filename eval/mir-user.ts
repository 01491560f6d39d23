// The simulated user of mental-image retrieval (GenIR, issue 20): it holds a target scene of the
// world in mind, starts from a partial description (its first object's colour and shape) and adds one
// detail per turn. What it has said is a set of facts about the target; the description it types is
// written from those facts in the words of the world's captions (engine/world/captions.ts), so the
// built-in text encoder knows every word. Which detail it adds depends on what it sees:
//   text        nothing but its own text: one detail it has not given yet, drawn at random (seeded).
//   prediction  the best result: the first difference between that image and its target.
//   generative  the picture painted from its description: the first difference between the picture
//               (what the system understood) and its target.
// Differences are looked for in one order for both users: background, a missing object, an object's
// size or pattern, a relation; when none is left to name, the user adds a random detail as `text` does.
import { mixSeed, Prng } from '../engine/world/prng.ts';
import type { Scene } from '../engine/world/scene.ts';
import { backgroundPhrases, type Background } from '../engine/world/vocabulary.ts';
import type { EvalImage, EvalObject } from './dataset.ts';

export type RelationWord = 'left-of' | 'above';

export type Detail =
  | { kind: 'background' }
  | { kind: 'object'; object: number }
  | { kind: 'size'; object: number }
  | { kind: 'pattern'; object: number }
  | { kind: 'relation'; subject: number; relation: RelationWord; object: number };

/** What the user has said about its target; object numbers index target.objects. */
export interface MirFacts {
  /** Target objects described, in the order they were introduced (by colour and shape). */
  objects: number[];
  background: boolean;
  sizes: number[];
  patterns: number[];
  relations: { subject: number; relation: RelationWord; object: number }[];
}

/** Two objects stand in a relation when their centres are this far apart (engine/world/captions.ts). */
const relationMargin = 24;

function centre(o: EvalObject): [number, number] {
  const [x, y, w, h] = o.box;
  return [x + w / 2, y + h / 2];
}

/** The relations of the target between two of its objects that a caption could state. */
function targetRelations(target: EvalImage, a: number, b: number): RelationWord[] {
  const objects = target.objects ?? [];
  const [ax, ay] = centre(objects[a]);
  const [bx, by] = centre(objects[b]);
  const found: RelationWord[] = [];
  if (bx - ax > relationMargin) found.push('left-of');
  if (by - ay > relationMargin) found.push('above');
  return found;
}

export function initialFacts(target: EvalImage): MirFacts {
  return { objects: (target.objects?.length ?? 0) > 0 ? [0] : [], background: (target.objects?.length ?? 0) === 0, sizes: [], patterns: [], relations: [] };
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function objectWords(o: EvalObject, size: boolean, pattern: boolean): string {
  const words = [...(size ? [o.size] : []), o.colour, ...(pattern ? [o.pattern === 'solid' ? 'plain' : o.pattern] : []), o.shape];
  return `${article(words[0])} ${words.join(' ')}`;
}

const relationText: Record<RelationWord, string> = { 'left-of': 'to the left of', above: 'above' };

/** The description the user types: its objects, then the background, then relations ("the red circle is above the blue square"). */
export function describeFacts(target: EvalImage, facts: MirFacts): string {
  const objects = target.objects ?? [];
  const listed = facts.objects.map((k) => objectWords(objects[k], facts.sizes.includes(k), facts.patterns.includes(k)));
  let text = listed.length <= 1 ? listed.join('') : `${listed.slice(0, -1).join(', ')} and ${listed[listed.length - 1]}`;
  if (facts.background && target.background) text = `${text} ${backgroundPhrases[target.background as Background][0]}`.trim();
  for (const r of facts.relations) {
    const name = (k: number) => `the ${objects[k].colour} ${objects[k].shape}`;
    text += `, ${name(r.subject)} is ${relationText[r.relation]} ${name(r.object)}`;
  }
  return text;
}

/** Every detail of the target not yet given, in the order differences are looked for. */
export function unsaidDetails(target: EvalImage, facts: MirFacts): Detail[] {
  const count = target.objects?.length ?? 0;
  const details: Detail[] = [];
  if (!facts.background && target.background) details.push({ kind: 'background' });
  for (let k = 0; k < count; k++) if (!facts.objects.includes(k)) details.push({ kind: 'object', object: k });
  for (const k of facts.objects) {
    if (!facts.sizes.includes(k)) details.push({ kind: 'size', object: k });
    if (!facts.patterns.includes(k)) details.push({ kind: 'pattern', object: k });
  }
  for (const a of facts.objects) {
    for (const b of facts.objects) {
      if (a === b) continue;
      for (const relation of targetRelations(target, a, b)) {
        const said = facts.relations.some((r) => r.subject === a && r.object === b && r.relation === relation);
        if (!said) details.push({ kind: 'relation', subject: a, relation, object: b });
      }
    }
  }
  return details;
}

export function addDetail(facts: MirFacts, detail: Detail): MirFacts {
  switch (detail.kind) {
    case 'background':
      return { ...facts, background: true };
    case 'object':
      return { ...facts, objects: [...facts.objects, detail.object] };
    case 'size':
      return { ...facts, sizes: [...facts.sizes, detail.object] };
    case 'pattern':
      return { ...facts, patterns: [...facts.patterns, detail.object] };
    case 'relation':
      return { ...facts, relations: [...facts.relations, { subject: detail.subject, relation: detail.relation, object: detail.object }] };
  }
}

/** The text user's next detail: one not given yet, at random (the same target and turn always draw the same). */
export function randomDetail(target: EvalImage, facts: MirFacts, turn: number): Detail | undefined {
  const unsaid = unsaidDetails(target, facts);
  return unsaid.length ? new Prng(mixSeed(target.index, turn, 0x6d6972)).pick(unsaid) : undefined;
}

/** What the user sees of an image or a picture: its background and objects with centres. */
export interface SeenScene {
  background?: string;
  objects: { shape: string; colour: string; size: string; pattern: string; cx: number; cy: number }[];
}

export function seenFromImage(image: EvalImage): SeenScene {
  return {
    background: image.background,
    objects: (image.objects ?? []).map((o) => {
      const [cx, cy] = centre(o);
      return { shape: o.shape, colour: o.colour, size: o.size, pattern: o.pattern, cx, cy };
    }),
  };
}

/** A painted scene as the user sees it; without `backgroundPainted` the backdrop was plain (no background). */
export function seenFromPainting(scene: Scene | undefined, backgroundPainted: boolean): SeenScene {
  if (!scene) return { objects: [] };
  return { background: backgroundPainted ? scene.background : undefined, objects: scene.objects.map((o) => ({ ...o })) };
}

/** Where each target object is in what the user sees: the object with its colour and shape (each used once). */
function match(target: EvalImage, seen: SeenScene): Map<number, number> {
  const used = new Set<number>();
  const pairs = new Map<number, number>();
  (target.objects ?? []).forEach((t, k) => {
    const j = seen.objects.findIndex((o, i) => !used.has(i) && o.colour === t.colour && o.shape === t.shape);
    if (j >= 0) {
      used.add(j);
      pairs.set(k, j);
    }
  });
  return pairs;
}

function holds(seen: SeenScene, a: number, b: number, relation: RelationWord): boolean {
  const p = seen.objects[a];
  const q = seen.objects[b];
  return relation === 'left-of' ? q.cx - p.cx > relationMargin : q.cy - p.cy > relationMargin;
}

/** The first not-yet-given detail in which what the user sees differs from its target; undefined when none does. */
export function firstDifference(target: EvalImage, facts: MirFacts, seen: SeenScene): Detail | undefined {
  const pairs = match(target, seen);
  const objects = target.objects ?? [];
  for (const detail of unsaidDetails(target, facts)) {
    switch (detail.kind) {
      case 'background':
        if (seen.background !== target.background) return detail;
        break;
      case 'object':
        if (!pairs.has(detail.object)) return detail;
        break;
      case 'size':
      case 'pattern': {
        const j = pairs.get(detail.object);
        if (j !== undefined && seen.objects[j][detail.kind] !== objects[detail.object][detail.kind]) return detail;
        break;
      }
      case 'relation': {
        const a = pairs.get(detail.subject);
        const b = pairs.get(detail.object);
        if (a !== undefined && b !== undefined && !holds(seen, a, b, detail.relation)) return detail;
        break;
      }
    }
  }
  return undefined;
}

/** The detail a user adds after seeing `seen`: the first difference, else a random unsaid detail. */
export function correctionAfterSeeing(target: EvalImage, facts: MirFacts, seen: SeenScene, turn: number): Detail | undefined {
  return firstDifference(target, facts, seen) ?? randomDetail(target, facts, turn);
}
