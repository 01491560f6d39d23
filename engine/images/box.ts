// Boxes as users give them (pixels or fractions of the image) turned into validated pixel boxes of
// the original, EXIF-rotated image. Every region path goes through here, so a bad box is refused
// with one clear message instead of producing an empty or shifted crop downstream.
import type { Box } from '../types.ts';

export type BoxUnits = 'px' | 'fraction';

/** The smallest side (in pixels, after clamping) a box may have: smaller crops carry no content. */
export const MIN_BOX_SIDE = 4;
/** The most boxes accepted on one image in one request. */
export const MAX_BOXES_PER_IMAGE = 20;

/** A box the user gave cannot be used; the message says why. */
export class BoxError extends Error {
  override name = 'BoxError';
}

export interface ImageSize {
  width: number;
  height: number;
}

/** 'fraction' when every value lies within 0..1 (a 1x1-pixel box at the origin is never meant). */
export function detectUnits(input: Box): BoxUnits {
  const values = [input.x, input.y, input.w, input.h];
  return values.every((v) => v >= 0 && v <= 1) ? 'fraction' : 'px';
}

function describe(input: Box): string {
  return `{x: ${input.x}, y: ${input.y}, w: ${input.w}, h: ${input.h}}`;
}

/**
 * Converts a box to integer pixels of the image, clamped to its bounds. Edges are rounded outward
 * to whole pixels, so a fractional box never loses a partly covered pixel row.
 */
export function resolveBox(input: Box, units: BoxUnits | undefined, imageSize: ImageSize): Box {
  const { width, height } = imageSize;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new BoxError(`invalid image size ${width}x${height}`);
  }
  for (const key of ['x', 'y', 'w', 'h'] as const) {
    if (typeof input[key] !== 'number' || !Number.isFinite(input[key])) {
      throw new BoxError(`box ${key} must be a finite number, got ${String(input[key])}`);
    }
  }
  if (input.w <= 0 || input.h <= 0) {
    throw new BoxError(`box ${describe(input)} has no area: width and height must be positive`);
  }
  const resolvedUnits = units ?? detectUnits(input);
  const sx = resolvedUnits === 'fraction' ? width : 1;
  const sy = resolvedUnits === 'fraction' ? height : 1;
  // Tolerance against float noise such as 0.1 * 640 = 64.00000000000001.
  const eps = 1e-6;
  const left = Math.floor(input.x * sx + eps);
  const top = Math.floor(input.y * sy + eps);
  const right = Math.ceil((input.x + input.w) * sx - eps);
  const bottom = Math.ceil((input.y + input.h) * sy - eps);
  const unitsNote = resolvedUnits === 'fraction' ? ' (read as fractions of the image)' : ' (pixels)';
  if (right <= 0 || bottom <= 0 || left >= width || top >= height) {
    throw new BoxError(`box ${describe(input)}${unitsNote} lies entirely outside the ${width}x${height} image`);
  }
  const x0 = Math.max(0, left);
  const y0 = Math.max(0, top);
  const x1 = Math.min(width, right);
  const y1 = Math.min(height, bottom);
  const box = { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
  if (box.w < MIN_BOX_SIDE || box.h < MIN_BOX_SIDE) {
    throw new BoxError(
      `box ${describe(input)}${unitsNote} is ${box.w}x${box.h} px inside the ${width}x${height} image; ` +
        `each side must be at least ${MIN_BOX_SIDE} px`,
    );
  }
  return box;
}

/** Whether a box reaches beyond the image, so that resolveBox clips it (callers say so to the user). */
export function partlyOutside(input: Box, units: BoxUnits | undefined, imageSize: ImageSize): boolean {
  const [sx, sy] = (units ?? detectUnits(input)) === 'fraction' ? [imageSize.width, imageSize.height] : [1, 1];
  const eps = 1e-6;
  return input.x * sx < -eps || input.y * sy < -eps || (input.x + input.w) * sx > imageSize.width + eps || (input.y + input.h) * sy > imageSize.height + eps;
}

/** Resolves several boxes of one image, refusing more than MAX_BOXES_PER_IMAGE. */
export function resolveBoxes(inputs: Box[], units: BoxUnits | undefined, imageSize: ImageSize): Box[] {
  if (inputs.length > MAX_BOXES_PER_IMAGE) {
    throw new BoxError(`${inputs.length} boxes on one image; at most ${MAX_BOXES_PER_IMAGE} are accepted`);
  }
  return inputs.map((input, i) => {
    try {
      return resolveBox(input, units, imageSize);
    } catch (err) {
      if (err instanceof BoxError && inputs.length > 1) throw new BoxError(`box ${i + 1}: ${err.message}`);
      throw err;
    }
  });
}

/** Parses "x,y,w,h" as typed on the command line. */
export function parseBoxText(text: string): Box {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 4 || parts.some((p) => p === '')) {
    throw new BoxError(`box "${text}" must be four comma-separated numbers: x,y,w,h`);
  }
  const [x, y, w, h] = parts.map(Number);
  return { x, y, w, h };
}
