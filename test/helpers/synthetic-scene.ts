// A deterministic test scene: three coloured shapes (disc, square with two-tone blue stripes, triangle) on a noisy
// two-tone textured background, with the shapes' true boxes.
import type { Box, RgbImage } from '../../engine/types.ts';

export interface SyntheticScene {
  image: RgbImage;
  objects: { name: string; box: Box }[];
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function syntheticScene(width = 320, height = 240, seed = 7): SyntheticScene {
  const data = new Uint8Array(width * height * 3);
  const rand = rng(seed);
  const set = (x: number, y: number, rgb: [number, number, number]): void => {
    const p = (y * width + x) * 3;
    data[p] = rgb[0];
    data[p + 1] = rgb[1];
    data[p + 2] = rgb[2];
  };
  // Grass-like background: green with diagonal bands and per-pixel noise.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const band = ((x + y) >> 3) % 2 === 0 ? 10 : -10;
      const n = Math.round((rand() - 0.5) * 30);
      set(x, y, [70 + band + n, 130 + band + n, 60 + n]);
    }
  }
  const s = Math.min(width, height);
  const disc: Box = { x: Math.round(width * 0.08), y: Math.round(height * 0.1), w: Math.round(s * 0.3), h: Math.round(s * 0.3) };
  const square: Box = { x: Math.round(width * 0.6), y: Math.round(height * 0.15), w: Math.round(s * 0.25), h: Math.round(s * 0.25) };
  const triangle: Box = { x: Math.round(width * 0.35), y: Math.round(height * 0.55), w: Math.round(s * 0.35), h: Math.round(s * 0.35) };
  const cx = disc.x + disc.w / 2;
  const cy = disc.y + disc.h / 2;
  const rad = disc.w / 2;
  for (let y = disc.y; y < disc.y + disc.h; y++) {
    for (let x = disc.x; x < disc.x + disc.w; x++) {
      if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= rad * rad) set(x, y, [220, 40, 40]);
    }
  }
  for (let y = square.y; y < square.y + square.h; y++) {
    for (let x = square.x; x < square.x + square.w; x++) {
      set(x, y, Math.floor((y - square.y) / 6) % 2 === 0 ? [40, 60, 210] : [100, 120, 250]);
    }
  }
  for (let y = triangle.y; y < triangle.y + triangle.h; y++) {
    const t = (y - triangle.y + 1) / triangle.h;
    const half = (t * triangle.w) / 2;
    const mid = triangle.x + triangle.w / 2;
    for (let x = Math.ceil(mid - half); x < mid + half; x++) set(x, y, [240, 170, 30]);
  }
  return {
    image: { data, width, height },
    objects: [
      { name: 'red disc', box: disc },
      { name: 'striped square', box: square },
      { name: 'orange triangle', box: triangle },
    ],
  };
}
