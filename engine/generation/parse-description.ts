// Reads a free-text description into the synthetic world's vocabulary (engine/world/vocabulary.ts):
// objects with shape, colour, size and pattern, relations between them, and the background. Words it
// does not know are returned as `unknown`, never guessed at. Follow-up corrections work the way a
// user types them: "the circle should be blue" re-states an object already described, and
// "no star" / "without the star" removes one.
import { backgroundPhrases, backgrounds, colourNames, shapes, sizeNames, type Background, type Colour, type Pattern, type Shape, type Size } from '../world/vocabulary.ts';

export interface DescribedObject {
  shape?: Shape;
  colour?: Colour;
  size?: Size;
  pattern?: Pattern;
}

export type RelationKind = 'left-of' | 'right-of' | 'above' | 'below';

/** `subject` stands `kind` `object`; both index ParsedDescription.objects. */
export interface DescribedRelation {
  subject: number;
  kind: RelationKind;
  object: number;
}

export interface ParsedDescription {
  background?: Background;
  objects: DescribedObject[];
  relations: DescribedRelation[];
  /** Words of the description that name nothing of the world (in order, without repeats). */
  unknown: string[];
}

/** Words that carry no content of their own in a description of a scene. */
const fillerWords = new Set([
  'a', 'an', 'the', 'and', 'with', 'of', 'is', 'are', 'there', 'picture', 'image', 'photo', 'drawing', 'some', 'on',
  'in', 'at', 'to', 'it', 'its', 'be', 'should', 'has', 'have', 'that', 'which', 'this', 'one', 'two', 'three', 'four',
  'scene', 'background', 'front', 'floating', 'field', 'floor', 'table', 'wall', 'i', 'want', 'looking', 'for', 'am',
  'like', 'also', 'but', 'instead', 'please', 'make', 'made', 'more', 'it\'s', 'shapes', 'objects', 'side',
]);

const backgroundWords: Record<string, Background> = {
  grass: 'grass', grassy: 'grass', lawn: 'grass',
  sand: 'sand', sandy: 'sand', beach: 'sand',
  water: 'water', sea: 'water', lake: 'water',
  brick: 'brick', bricks: 'brick',
  snow: 'snow', snowy: 'snow',
  wood: 'wood', wooden: 'wood',
};

const patternWords: Record<string, Pattern> = {
  solid: 'solid', plain: 'solid', striped: 'striped', stripy: 'striped', stripes: 'striped',
  dotted: 'dotted', spotted: 'dotted', dots: 'dotted', checkered: 'checkered', chequered: 'checkered', checked: 'checkered',
};

const colourWords: Record<string, Colour> = { ...Object.fromEntries(colourNames.map((c) => [c, c])), gray: 'grey' };
const sizeWords: Record<string, Size> = { ...Object.fromEntries(sizeNames.map((s) => [s, s])), big: 'large', little: 'small', tiny: 'small', huge: 'large' };
const shapeWords: Record<string, Shape> = Object.fromEntries(shapes.flatMap((s) => [[s, s], [`${s}s`, s], [`${s}es`, s]]));
/** Nouns of an object whose shape is not said ("a red shape"). */
const genericNouns = new Set(['shape', 'object', 'thing', 'one']);
const negations = new Set(['no', 'not', 'without', 'remove']);

type Token = { word: string; used: boolean };

function tokenize(text: string): Token[] {
  return (text.toLowerCase().match(/[a-z']+/g) ?? []).map((word) => ({ word, used: false }));
}

interface Phrase extends DescribedObject {
  definite: boolean;
  hasNoun: boolean;
  end: number;
}

/** An object phrase starting at `start`: [article] adjectives* [noun]; undefined when there is none. */
function readPhrase(tokens: Token[], start: number): Phrase | undefined {
  let i = start;
  let definite = false;
  if (tokens[i]?.word === 'the') {
    definite = true;
    i++;
  } else if (tokens[i]?.word === 'a' || tokens[i]?.word === 'an') i++;
  const phrase: Phrase = { definite, hasNoun: false, end: i };
  let adjectives = 0;
  for (; i < tokens.length; i++) {
    const w = tokens[i].word;
    if (sizeWords[w]) phrase.size = sizeWords[w];
    else if (colourWords[w]) phrase.colour = colourWords[w];
    else if (patternWords[w] && !['stripes', 'dots'].includes(w)) phrase.pattern = patternWords[w];
    else break;
    adjectives++;
  }
  const noun = tokens[i]?.word;
  if (noun && shapeWords[noun]) {
    phrase.shape = shapeWords[noun];
    phrase.hasNoun = true;
    i++;
  } else if (noun && genericNouns.has(noun) && adjectives > 0) {
    phrase.hasNoun = true;
    i++;
  }
  if (!phrase.hasNoun && adjectives === 0) return undefined;
  phrase.end = i;
  return phrase;
}

/**
 * The object a phrase refers back to: the last one with the phrase's shape and colour; a definite
 * phrase ("the circle", "the blue circle" correcting a red one) may also match on shape alone.
 */
function referent(objects: DescribedObject[], phrase: Phrase): number {
  const modes = phrase.definite ? [true, false] : [true];
  for (const withColour of modes) {
    for (let k = objects.length - 1; k >= 0; k--) {
      const o = objects[k];
      if (phrase.shape !== undefined && o.shape !== phrase.shape) continue;
      if (withColour && phrase.colour !== undefined && o.colour !== phrase.colour) continue;
      return k;
    }
  }
  return -1;
}

function merge(object: DescribedObject, phrase: DescribedObject): void {
  for (const k of ['shape', 'colour', 'size', 'pattern'] as const) {
    if (phrase[k] !== undefined) (object as Record<string, unknown>)[k] = phrase[k];
  }
}

/** The relation word at `i`, and where the phrase after it starts. */
function readRelation(tokens: Token[], i: number): { kind: RelationKind; next: number } | undefined {
  const w = (k: number) => tokens[k]?.word;
  let at = i;
  if (w(at) === 'to' && w(at + 1) === 'the') at += 2;
  if ((w(at) === 'left' || w(at) === 'right') && w(at + 1) === 'of') return { kind: w(at) === 'left' ? 'left-of' : 'right-of', next: at + 2 };
  if (w(i) === 'above' || w(i) === 'over') return { kind: 'above', next: i + 1 };
  if (w(i) === 'below' || w(i) === 'under' || w(i) === 'beneath') return { kind: 'below', next: i + 1 };
  return undefined;
}

/** Marks the words of every background phrase of the vocabulary as used and returns the last background named. */
function readBackground(tokens: Token[]): Background | undefined {
  let found: { at: number; background: Background } | undefined;
  for (const background of backgrounds) {
    for (const phrase of backgroundPhrases[background]) {
      const words = phrase.split(' ');
      for (let i = 0; i + words.length <= tokens.length; i++) {
        if (words.every((word, k) => tokens[i + k].word === word)) {
          words.forEach((_, k) => (tokens[i + k].used = true));
          if (!found || i > found.at) found = { at: i, background };
        }
      }
    }
  }
  tokens.forEach((t, i) => {
    const background = backgroundWords[t.word];
    if (background && !t.used) {
      t.used = true;
      if (!found || i > found.at) found = { at: i, background };
    }
  });
  return found?.background;
}

export function parseDescription(text: string): ParsedDescription {
  const tokens = tokenize(text);
  const background = readBackground(tokens);
  const objects: DescribedObject[] = [];
  const removed = new Set<number>();
  const relations: DescribedRelation[] = [];
  let last = -1;
  let negate = false;
  let pendingRelation: { subject: number; kind: RelationKind } | undefined;
  let count = 1;
  for (let i = 0; i < tokens.length; ) {
    const token = tokens[i];
    if (token.used) {
      i++;
      continue;
    }
    if (negations.has(token.word)) {
      token.used = true;
      negate = true;
      i++;
      continue;
    }
    const counted = ['two', 'three', 'four'].indexOf(token.word);
    if (counted >= 0) {
      count = counted + 2;
      token.used = true;
      i++;
      continue;
    }
    const relation = last >= 0 ? readRelation(tokens, i) : undefined;
    if (relation) {
      for (let k = i; k < relation.next; k++) tokens[k].used = true;
      pendingRelation = { subject: last, kind: relation.kind };
      i = relation.next;
      continue;
    }
    const phrase = readPhrase(tokens, i);
    if (!phrase) {
      i++;
      continue;
    }
    const start = i;
    for (let k = start; k < phrase.end; k++) tokens[k].used = true;
    i = phrase.end;
    const described: DescribedObject = { shape: phrase.shape, colour: phrase.colour, size: phrase.size, pattern: phrase.pattern };
    if (negate) {
      const k = referent(objects, phrase);
      if (k >= 0) removed.add(k);
      negate = false;
      continue;
    }
    // Adjectives with no noun ("the circle is blue") describe the object just named.
    if (!phrase.hasNoun) {
      // With no object yet they describe nothing: reported as not understood.
      if (last >= 0) merge(objects[last], described);
      else for (let k = start; k < phrase.end; k++) tokens[k].used = false;
      continue;
    }
    const back = phrase.definite || pendingRelation ? referent(objects, phrase) : -1;
    if (back >= 0) {
      merge(objects[back], described);
      last = back;
    } else {
      for (let n = 0; n < count; n++) objects.push({ ...described });
      last = objects.length - 1;
    }
    count = 1;
    if (pendingRelation) {
      if (pendingRelation.subject !== last) relations.push({ ...pendingRelation, object: last });
      pendingRelation = undefined;
    }
  }
  const keep = objects.map((_, k) => !removed.has(k));
  const newIndex = objects.map((_, k) => keep.slice(0, k).filter(Boolean).length);
  const unknown = [...new Set(tokens.filter((t) => !t.used && !fillerWords.has(t.word)).map((t) => t.word))];
  return {
    background,
    objects: objects.filter((_, k) => keep[k]),
    relations: relations.filter((r) => keep[r.subject] && keep[r.object]).map((r) => ({ subject: newIndex[r.subject], kind: r.kind, object: newIndex[r.object] })),
    unknown,
  };
}

