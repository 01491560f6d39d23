// Area-average downscaling of RGB pixels, for the segmenter's small working copy (never used to crop
// what is encoded: crops always come from the original image).
import type { RgbImage } from '../types.ts';

/** Returns a copy whose longer side is at most `maxSide` (the image itself when already small enough). */
export function downscaleToMaxSide(image: RgbImage, maxSide: number): RgbImage {
  const longSide = Math.max(image.width, image.height);
  if (longSide <= maxSide) return image;
  const f = maxSide / longSide;
  const width = Math.max(1, Math.round(image.width * f));
  const height = Math.max(1, Math.round(image.height * f));
  const out = new Uint8Array(width * height * 3);
  const sx = image.width / width;
  const sy = image.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let yy = y0; yy < y1; yy++) {
        let p = (yy * image.width + x0) * 3;
        for (let xx = x0; xx < x1; xx++, p += 3) {
          r += image.data[p];
          g += image.data[p + 1];
          b += image.data[p + 2];
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * width + x) * 3;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
    }
  }
  return { data: out, width, height };
}
