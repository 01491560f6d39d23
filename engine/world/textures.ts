// Procedural background textures: each background is drawn from value noise and simple periodic
// structure, so that no two scenes share the same pixels and the model cannot key on a flat colour.
import type { Background } from './vocabulary.ts';
import { mixSeed } from './prng.ts';

function lattice(ix: number, iy: number, seed: number): number {
  return mixSeed(ix, iy, seed) / 4294967296;
}

/** Smooth value noise in [0, 1) with features of about `scale` pixels. */
export function valueNoise(x: number, y: number, scale: number, seed: number): number {
  const fx = x / scale;
  const fy = y / scale;
  const ix = Math.floor(fx);
  const iy = Math.floor(fy);
  const tx = fx - ix;
  const ty = fy - iy;
  const sx = tx * tx * (3 - 2 * tx);
  const sy = ty * ty * (3 - 2 * ty);
  const a = lattice(ix, iy, seed);
  const b = lattice(ix + 1, iy, seed);
  const c = lattice(ix, iy + 1, seed);
  const d = lattice(ix + 1, iy + 1, seed);
  return a + (b - a) * sx + (c - a) * sy + (a - b - c + d) * sx * sy;
}

type Rgb = [number, number, number];

function clampByte(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

function shade(base: Rgb, amount: number): Rgb {
  return [base[0] + amount, base[1] + amount, base[2] + amount];
}

function pixel(background: Background, x: number, y: number, seed: number): Rgb {
  switch (background) {
    case 'grass': {
      const blades = valueNoise(x, y * 0.2, 2, seed) - 0.5;
      const patches = valueNoise(x, y, 28, seed + 1) - 0.5;
      return [60 + 30 * patches + 25 * blades, 125 + 50 * patches + 45 * blades, 45 + 20 * blades];
    }
    case 'sand': {
      const grain = valueNoise(x, y, 1.5, seed) - 0.5;
      const ripple = Math.sin(y * 0.35 + 6 * valueNoise(x, y, 40, seed + 1));
      return shade([216, 190, 140], 30 * grain + 10 * ripple);
    }
    case 'water': {
      const wave = Math.sin(x * 0.12 + 3 * Math.sin(y * 0.09) + 8 * valueNoise(x, y, 50, seed));
      const ripple = valueNoise(x, y, 6, seed + 1) - 0.5;
      const glint = wave > 0.85 ? 45 : 0;
      return [40 + 15 * wave + glint + 20 * ripple, 95 + 20 * wave + glint + 20 * ripple, 165 + 20 * wave + glint];
    }
    case 'brick': {
      const row = Math.floor(y / 14);
      const offset = row % 2 === 0 ? 0 : 14;
      const col = Math.floor((x + offset) / 28);
      const mortar = y % 14 < 2 || (x + offset) % 28 < 2;
      const grain = valueNoise(x, y, 2, seed) - 0.5;
      if (mortar) return shade([190, 185, 175], 20 * grain);
      const brickTone = lattice(col, row, seed + 2) - 0.5;
      return [165 + 40 * brickTone + 25 * grain, 75 + 20 * brickTone + 15 * grain, 55 + 15 * brickTone + 10 * grain];
    }
    case 'snow': {
      const drift = valueNoise(x, y, 35, seed) - 0.5;
      const grain = valueNoise(x, y, 1.5, seed + 1) - 0.5;
      return [232 + 20 * drift + 12 * grain, 238 + 15 * drift + 12 * grain, 250 + 5 * drift + 8 * grain];
    }
    case 'wood': {
      const warp = 18 * valueNoise(x, y, 45, seed);
      const grain = Math.sin((y + warp) * 0.55) * 0.5 + 0.5;
      const plank = Math.floor(x / 56);
      const seam = x % 56 < 2;
      const tone = 25 * (lattice(plank, 0, seed + 3) - 0.5);
      if (seam) return [80, 50, 25];
      return [150 + tone + 35 * grain, 100 + tone + 25 * grain, 55 + tone / 2 + 15 * grain];
    }
  }
}

/** Fills an RGB buffer (row-major, 3 bytes a pixel) with the background's texture. */
export function paintBackground(data: Uint8Array, width: number, height: number, background: Background, seed: number): void {
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(background, x, y, seed);
      const i = (y * width + x) * 3;
      data[i] = clampByte(r);
      data[i + 1] = clampByte(g);
      data[i + 2] = clampByte(b);
    }
  }
}
