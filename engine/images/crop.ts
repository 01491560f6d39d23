// Crops the original pixels. Boxes are in pixels of the original (EXIF-rotated) image, so cropping
// happens before any resize: resizing first (the seed demo's bug) shifts boxes on non-square images.
import type { Box, RgbImage } from '../types.ts';

/** Copies the pixels inside `box` (integer pixels, inside the image: see resolveBox). */
export function cropImage(rgb: RgbImage, box: Box): RgbImage {
  const { x, y, w, h } = box;
  if (![x, y, w, h].every(Number.isInteger) || w <= 0 || h <= 0 || x < 0 || y < 0 || x + w > rgb.width || y + h > rgb.height) {
    throw new RangeError(`crop box {x: ${x}, y: ${y}, w: ${w}, h: ${h}} is not inside the ${rgb.width}x${rgb.height} image`);
  }
  const data = new Uint8Array(w * h * 3);
  const rowBytes = w * 3;
  for (let row = 0; row < h; row++) {
    const start = ((y + row) * rgb.width + x) * 3;
    data.set(rgb.data.subarray(start, start + rowBytes), row * rowBytes);
  }
  return { data, width: w, height: h };
}
