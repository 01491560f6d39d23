// Boxes are kept in pixels of the original image; the screen shows the image scaled. These convert
// between the two and keep boxes inside the image.
import type { Box } from '../../engine/types.ts';

export interface Size {
  width: number;
  height: number;
}

/** A box drawn on the displayed image (CSS pixels) → pixels of the original image, rounded. */
export function displayToImage(box: Box, displayed: Size, natural: Size): Box {
  const sx = natural.width / displayed.width;
  const sy = natural.height / displayed.height;
  return clampBox({ x: Math.round(box.x * sx), y: Math.round(box.y * sy), w: Math.round(box.w * sx), h: Math.round(box.h * sy) }, natural);
}

/** A box in image pixels as percentages of the image, for CSS positioning at any displayed size. */
export function toPercent(box: Box, natural: Size): { left: string; top: string; width: string; height: string } {
  const pct = (v: number, of: number) => `${((v / of) * 100).toFixed(3)}%`;
  return { left: pct(box.x, natural.width), top: pct(box.y, natural.height), width: pct(box.w, natural.width), height: pct(box.h, natural.height) };
}

/** Where to put an image of `natural` size so that `box` fills a `side`-px square, centred (a crop by CSS). */
export function cropStyle(box: Box, natural: Size, side: number): { left: string; top: string; width: string; height: string } {
  const scale = side / Math.max(box.w, box.h);
  const px = (v: number) => `${v.toFixed(2)}px`;
  return {
    left: px((side - box.w * scale) / 2 - box.x * scale),
    top: px((side - box.h * scale) / 2 - box.y * scale),
    width: px(natural.width * scale),
    height: px(natural.height * scale),
  };
}

/** The rectangle spanned by two corner points, in any order. */
export function spanBox(ax: number, ay: number, bx: number, by: number): Box {
  return { x: Math.min(ax, bx), y: Math.min(ay, by), w: Math.abs(bx - ax), h: Math.abs(by - ay) };
}

/** Keeps a box inside the image with at least 1 pixel of width and height. */
export function clampBox(box: Box, natural: Size): Box {
  const w = Math.max(1, Math.min(box.w, natural.width));
  const h = Math.max(1, Math.min(box.h, natural.height));
  const x = Math.max(0, Math.min(box.x, natural.width - w));
  const y = Math.max(0, Math.min(box.y, natural.height - h));
  return { x, y, w, h };
}

/** Moves a box by (dx, dy) image pixels without letting it leave the image. */
export function moveBox(box: Box, dx: number, dy: number, natural: Size): Box {
  return clampBox({ ...box, x: box.x + dx, y: box.y + dy }, natural);
}

/** "↑3", "↓2", "new" or "=" for a result's move since the previous turn; undefined on a first search. */
export function movement(rank: number, previousRank: number | null | undefined): { label: string; kind: 'up' | 'down' | 'new' | 'same' } | undefined {
  if (previousRank === undefined) return undefined;
  if (previousRank === null) return { label: 'new', kind: 'new' };
  const d = previousRank - rank;
  if (d > 0) return { label: `↑${d}`, kind: 'up' };
  if (d < 0) return { label: `↓${-d}`, kind: 'down' };
  return { label: '=', kind: 'same' };
}
