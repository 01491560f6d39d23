// Captions of a scene: five per scene from varied templates, each naming only some of the objects
// and some of their attributes, so that several scenes fit one caption (what feedback must resolve).
import type { Prng } from './prng.ts';
import type { Scene, SceneObject } from './scene.ts';
import { backgroundNouns, backgroundPhrases, type Colour, type Shape } from './vocabulary.ts';

const countWords = ['one', 'two', 'three', 'four'];

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

/** "a red circle", "an orange star": the phrase single-object crops are trained and tested with. */
export function colourShapePhrase(colour: Colour, shape: Shape): string {
  return `${article(colour)} ${colour} ${shape}`;
}

interface Mention {
  size: boolean;
  colour: boolean;
  pattern: boolean;
  shape: boolean;
}

/** Words for an object, in English order (size, colour, pattern, shape), with its article. */
export function describeObject(object: SceneObject, mention: Mention): string {
  const words: string[] = [];
  if (mention.size) words.push(object.size);
  if (mention.colour) words.push(object.colour);
  if (mention.pattern) words.push(object.pattern === 'solid' ? 'plain' : object.pattern);
  words.push(mention.shape ? object.shape : 'shape');
  return `${article(words[0])} ${words.join(' ')}`;
}

function randomMention(rng: Prng, detail: number): Mention {
  const shape = rng.chance(0.9);
  const colour = !shape || rng.chance(0.7 + 0.1 * detail);
  return {
    shape,
    colour,
    pattern: rng.chance(0.25 + 0.2 * detail),
    size: rng.chance(0.15 + 0.2 * detail),
  };
}

function joinList(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Some of the scene's objects (at least one), described with some of their attributes. */
function someObjects(rng: Prng, scene: Scene, max: number, detail = 0): string {
  const count = 1 + rng.int(Math.min(max, scene.objects.length));
  const chosen = rng.shuffle(scene.objects).slice(0, count);
  return joinList(chosen.map((o) => describeObject(o, randomMention(rng, detail))));
}

// Two objects stand in a relation only when they are clearly apart along that axis.
const relationMargin = 24;

function relationCaption(rng: Prng, scene: Scene): string | undefined {
  const pairs: string[] = [];
  for (const a of scene.objects) {
    for (const b of scene.objects) {
      if (a === b) continue;
      const da = describeObject(a, randomMention(rng, 0));
      const db = describeObject(b, randomMention(rng, 0));
      if (b.cx - a.cx > relationMargin) pairs.push(`${da} to the left of ${db}`, `${db} to the right of ${da}`);
      if (b.cy - a.cy > relationMargin) pairs.push(`${da} above ${db}`, `${db} below ${da}`);
    }
  }
  return pairs.length ? rng.pick(pairs) : undefined;
}

type Template = (rng: Prng, scene: Scene) => string | undefined;

const templates: Template[] = [
  (rng, s) => `${someObjects(rng, s, 3)} ${rng.pick(backgroundPhrases[s.background])}`,
  (rng, s) => someObjects(rng, s, 1, 1),
  (rng, s) => someObjects(rng, s, 2),
  (rng, s) => relationCaption(rng, s),
  (rng, s) => {
    const n = s.objects.length;
    const noun = n === 1 ? 'shape' : 'shapes';
    return `${countWords[n - 1]} ${noun} ${rng.pick(backgroundPhrases[s.background])}`;
  },
  (rng, s) => `a ${backgroundNouns[s.background]} scene with ${someObjects(rng, s, 2)}`,
  (rng, s) => `there is ${someObjects(rng, s, 1, 1)} ${rng.pick(backgroundPhrases[s.background])}`,
  (rng, s) => `a picture of ${someObjects(rng, s, 3)}`,
];

/** Five distinct captions for a scene. */
export function captionScene(rng: Prng, scene: Scene, count = 5): string[] {
  const captions: string[] = [];
  for (let attempt = 0; captions.length < count && attempt < 50; attempt++) {
    const caption = rng.pick(templates)(rng, scene);
    if (caption && !captions.includes(caption)) captions.push(caption);
  }
  // A one-object scene has few distinct descriptions; repeat rather than return fewer than asked.
  while (captions.length < count) captions.push(captions[captions.length % Math.max(1, captions.length)]);
  return captions;
}
