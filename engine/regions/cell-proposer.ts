// Label-free proposals from the model's own token grid, at no pixel cost: every rectangle of cells
// is a candidate, ranked like the segment proposer ranks segments (engine/regions/segment-proposer.ts)
// — by how much its contents differ from its surroundings, here in the model's embedding space
// (1 − cos of the mean unit token vectors inside and outside), × area^areaWeight — then de-duplicated.
// Regions finer than a cell cannot be told apart by pooled tokens anyway.
import type { Box, RegionProposal } from '../types.ts';
import { dedupeBoxes } from './geometry.ts';
import type { TokenCells } from './token-pooling.ts';

export interface CellProposerOptions {
  maxBoxes: number;
  /** Box area limits, as fractions of the grid. */
  minArea: number;
  maxArea: number;
  dedupeIoU: number;
  areaWeight: number;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 1;
}

export function proposeCells(cells: TokenCells, options: CellProposerOptions): RegionProposal[] {
  const count = cells.vectors.length;
  const side = Math.round(Math.sqrt(count));
  const dim = cells.vectors[0]?.length ?? 0;
  // Prefix sums over the grid: sum of rows [0, r) × columns [0, c) at (r · (side + 1) + c) · dim.
  const stride = side + 1;
  const prefix = new Float32Array(stride * stride * dim);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      const v = cells.vectors[r * side + c];
      const at = ((r + 1) * stride + (c + 1)) * dim;
      const up = (r * stride + (c + 1)) * dim;
      const left = ((r + 1) * stride + c) * dim;
      const diag = (r * stride + c) * dim;
      for (let d = 0; d < dim; d++) prefix[at + d] = v[d] + prefix[up + d] + prefix[left + d] - prefix[diag + d];
    }
  }
  const total = prefix.subarray((side * stride + side) * dim, (side * stride + side + 1) * dim);
  const inside = new Float32Array(dim);
  const outside = new Float32Array(dim);
  const candidates: { rect: [number, number, number, number]; score: number }[] = [];
  for (let r0 = 0; r0 < side; r0++) {
    for (let r1 = r0 + 1; r1 <= side; r1++) {
      for (let c0 = 0; c0 < side; c0++) {
        for (let c1 = c0 + 1; c1 <= side; c1++) {
          const area = ((r1 - r0) * (c1 - c0)) / count;
          if (area < options.minArea || area > options.maxArea) continue;
          for (let d = 0; d < dim; d++) {
            inside[d] = prefix[(r1 * stride + c1) * dim + d] - prefix[(r0 * stride + c1) * dim + d] - prefix[(r1 * stride + c0) * dim + d] + prefix[(r0 * stride + c0) * dim + d];
            outside[d] = total[d] - inside[d];
          }
          candidates.push({ rect: [r0, r1, c0, c1], score: (1 - cosine(inside, outside)) * area ** options.areaWeight });
        }
      }
    }
  }
  candidates.sort((a, b) => b.score - a.score);
  const boxOf = ([r0, r1, c0, c1]: [number, number, number, number]): Box => {
    const first = cells.boxes[r0 * side + c0];
    const last = cells.boxes[(r1 - 1) * side + (c1 - 1)];
    return { x: first.x, y: first.y, w: last.x + last.w - first.x, h: last.y + last.h - first.y };
  };
  return dedupeBoxes(candidates.map((c) => boxOf(c.rect)), options.dedupeIoU, options.maxBoxes).map((box) => ({ box, source: 'proposer' as const }));
}
