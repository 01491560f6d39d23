// Sampling a scene: which objects, with which attributes, where. Pure data; drawing is rasterise.ts.
import { Prng } from './prng.ts';
import {
  backgrounds,
  colourNames,
  patterns,
  shapes,
  sizeNames,
  sizes,
  type Background,
  type Colour,
  type Pattern,
  type Shape,
  type Size,
} from './vocabulary.ts';

/** Side of every scene in pixels. */
export const sceneSize = 224;

export interface SceneObject {
  shape: Shape;
  colour: Colour;
  size: Size;
  pattern: Pattern;
  /** Centre and radius in pixels. */
  cx: number;
  cy: number;
  radius: number;
  /** Small per-object shift of the colour, so colour words cover a range, not one RGB value. */
  tint: [number, number, number];
  /** Phase of the surface pattern, in pixels. */
  patternPhase: number;
}

export interface Scene {
  background: Background;
  /** Drawn in order: later objects cover earlier ones where they overlap. */
  objects: SceneObject[];
  /** Seed of the background texture. */
  textureSeed: number;
}

// Two objects may overlap, but their centres stay this far apart (in units of the sum of radii), so
// each stays mostly visible.
const minCentreDistance = 0.72;

export function sampleScene(rng: Prng): Scene {
  const background = rng.pick(backgrounds);
  const count = 1 + rng.int(4);
  const objects: SceneObject[] = [];
  for (let attempt = 0; objects.length < count && attempt < 200; attempt++) {
    const size = rng.pick(sizeNames);
    const radius = sizes[size];
    const margin = radius + 3;
    const cx = Math.round(rng.range(margin, sceneSize - margin));
    const cy = Math.round(rng.range(margin, sceneSize - margin));
    const clear = objects.every(
      (o) => Math.hypot(o.cx - cx, o.cy - cy) >= minCentreDistance * (o.radius + radius),
    );
    if (!clear) continue;
    objects.push({
      shape: rng.pick(shapes),
      colour: rng.pick(colourNames),
      size,
      pattern: rng.chance(0.4) ? 'solid' : rng.pick(patterns.filter((p) => p !== 'solid')),
      cx,
      cy,
      radius,
      tint: [rng.int(25) - 12, rng.int(25) - 12, rng.int(25) - 12],
      patternPhase: rng.int(8),
    });
  }
  return { background, objects, textureSeed: rng.nextUint32() };
}
