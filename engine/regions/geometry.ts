// Box arithmetic shared by the proposers, the store and the re-ranker.
import type { Box } from '../types.ts';

export function boxArea(b: Box): number {
  return Math.max(0, b.w) * Math.max(0, b.h);
}

/** Intersection over union of two boxes (0 when either is empty). */
export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** Clamps a box to the image and rounds it to whole pixels, keeping at least 1×1. */
export function clampBox(b: Box, width: number, height: number): Box {
  const x0 = Math.min(Math.max(0, Math.floor(b.x)), width - 1);
  const y0 = Math.min(Math.max(0, Math.floor(b.y)), height - 1);
  const x1 = Math.max(x0 + 1, Math.min(width, Math.ceil(b.x + b.w)));
  const y1 = Math.max(y0 + 1, Math.min(height, Math.ceil(b.y + b.h)));
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** Greedy de-duplication: keeps boxes in the given order, dropping any that overlaps a kept one by more than `maxIoU`. */
export function dedupeBoxes(boxes: Box[], maxIoU: number, limit = Infinity): Box[] {
  const kept: Box[] = [];
  for (const b of boxes) {
    if (kept.length >= limit) break;
    if (kept.every((k) => iou(k, b) <= maxIoU)) kept.push(b);
  }
  return kept;
}
