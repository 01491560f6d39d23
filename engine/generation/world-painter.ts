// The offline generator of the built-in world: a description is parsed into the world's vocabulary
// (parse-description.ts) and drawn with the world's own renderer (engine/world/rasterise.ts), so the
// picture lives in the same image space as the library. Deterministic: the same description always
// gives the same pixels. What the description leaves open is drawn plainly (medium size, solid,
// grey, a plain backdrop) and said in the notes; words it does not know are reported, not guessed.
import type { RgbImage } from '../types.ts';
import { renderBackground, renderScene } from '../world/rasterise.ts';
import { sceneSize, type Scene, type SceneObject } from '../world/scene.ts';
import { sizes, type Background } from '../world/vocabulary.ts';
import type { GenerationOutcome, GenerationRequest, ImageGenerator } from './image-generator.ts';
import { parseDescription, type DescribedRelation, type ParsedDescription } from './parse-description.ts';

/** The most objects a world scene holds (engine/world/scene.ts samples 1 to 4). */
export const maxPaintedObjects = 4;

/** Backdrop when no background is described: a flat grey unlike every world texture. */
const plainBackdrop: [number, number, number] = [208, 208, 208];

/** Where objects go before relations move them, per object count (centres in pixels of a 224-px scene). */
const slots: readonly (readonly [number, number])[][] = [
  [],
  [[112, 112]],
  [[66, 112], [158, 112]],
  [[60, 66], [164, 66], [112, 162]],
  [[62, 62], [162, 62], [62, 162], [162, 162]],
];

/** Relations need the centres this far apart on their axis (engine/world/captions.ts uses 24). */
const relationGap = 40;

export interface Painting {
  parsed: ParsedDescription;
  /** The scene drawn; undefined when the description names nothing the world can draw. */
  scene?: Scene;
  image?: RgbImage;
  /** What was drawn by default or left out, in words for the user. */
  notes: string[];
  reason?: string;
}

function satisfied(a: SceneObject, b: SceneObject, kind: DescribedRelation['kind']): boolean {
  switch (kind) {
    case 'left-of':
      return b.cx - a.cx >= relationGap;
    case 'right-of':
      return a.cx - b.cx >= relationGap;
    case 'above':
      return b.cy - a.cy >= relationGap;
    case 'below':
      return a.cy - b.cy >= relationGap;
  }
}

/** Moves objects until the relations hold: swap the two centres on the axis, or pull them apart. */
function applyRelations(objects: SceneObject[], relations: DescribedRelation[]): void {
  for (let round = 0; round < 4; round++) {
    for (const r of relations) {
      const a = objects[r.subject];
      const b = objects[r.object];
      if (!a || !b || satisfied(a, b, r.kind)) continue;
      const axis = r.kind === 'left-of' || r.kind === 'right-of' ? 'cx' : 'cy';
      const aFirst = r.kind === 'left-of' || r.kind === 'above';
      const [low, high] = [Math.min(a[axis], b[axis]), Math.max(a[axis], b[axis])];
      const spread = Math.max(high - low, relationGap + 40);
      const mid = (low + high) / 2;
      const lowValue = Math.round(Math.max(a.radius + 3, mid - spread / 2));
      const highValue = Math.round(Math.min(sceneSize - a.radius - 3, mid + spread / 2));
      a[axis] = aFirst ? lowValue : highValue;
      b[axis] = aFirst ? highValue : lowValue;
    }
  }
}

/** One texture per background: which grass a description means is never said, and painting noise is most of the cost. */
const backdropSeed = 0;
const backdrops = new Map<Background | undefined, Uint8Array>();

/** A fresh copy of the backdrop to draw on: the background's texture, or the plain one. */
function backdrop(background: Background | undefined): RgbImage {
  let pixels = backdrops.get(background);
  if (!pixels) {
    if (background === undefined) {
      pixels = new Uint8Array(sceneSize * sceneSize * 3);
      for (let i = 0; i < pixels.length; i += 3) pixels.set(plainBackdrop, i);
    } else {
      pixels = renderBackground({ background, objects: [], textureSeed: backdropSeed }).data;
    }
    backdrops.set(background, pixels);
  }
  return { data: pixels.slice(), width: sceneSize, height: sceneSize };
}

export function paintDescription(description: string): Painting {
  const parsed = parseDescription(description);
  const notes: string[] = [];
  if (parsed.unknown.length) notes.push(`not understood: ${parsed.unknown.join(', ')}`);
  if (parsed.objects.length === 0 && parsed.background === undefined) {
    return {
      parsed,
      notes,
      reason: `nothing in the description names a shape, colour, size, pattern or background of the world${parsed.unknown.length ? ` (not understood: ${parsed.unknown.join(', ')})` : ''}`,
    };
  }
  const described = parsed.objects.slice(0, maxPaintedObjects);
  if (parsed.objects.length > maxPaintedObjects) notes.push(`${parsed.objects.length} objects described; a scene holds at most ${maxPaintedObjects}, the first ${maxPaintedObjects} are drawn`);
  const defaults = new Set<string>();
  const layout = slots[described.length];
  const objects: SceneObject[] = described.map((o, k) => {
    if (!o.shape) defaults.add('shape not given: drawn as a circle');
    if (!o.colour) defaults.add('colour not given: drawn grey');
    if (!o.size) defaults.add('size not given: drawn medium');
    if (!o.pattern) defaults.add('pattern not given: drawn plain');
    const size = o.size ?? 'medium';
    return {
      shape: o.shape ?? 'circle',
      colour: o.colour ?? 'grey',
      size,
      pattern: o.pattern ?? 'solid',
      cx: layout[k][0],
      cy: layout[k][1],
      radius: sizes[size],
      tint: [0, 0, 0],
      patternPhase: 0,
    };
  });
  applyRelations(objects, parsed.relations.filter((r) => r.subject < described.length && r.object < described.length));
  notes.push(...defaults);
  if (parsed.background === undefined) notes.push('background not given: drawn plain');
  const scene: Scene = { background: parsed.background ?? 'grass', objects, textureSeed: backdropSeed };
  const image = renderScene(scene, backdrop(parsed.background)).image;
  return { parsed, scene, image, notes };
}

export class WorldPainter implements ImageGenerator {
  constructor(readonly name: string) {}

  async generate(request: GenerationRequest): Promise<GenerationOutcome> {
    const started = performance.now();
    const painting = paintDescription(request.prompt);
    if (!painting.image) return { reason: painting.reason! };
    return {
      picture: {
        image: painting.image,
        generator: this.name,
        prompt: request.prompt,
        notes: painting.notes,
        latencyMs: performance.now() - started,
      },
    };
  }
}
