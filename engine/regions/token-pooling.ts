// A box's vector from the image's tokens (engine/encoders/token-head.ts). With a head that pools a
// set of tokens (mean/max cells, attention pooling), the box is the head's pooling of the cells at
// least half inside it (`cellSets`); with one that reads a single token (CLIP), the mean of the unit
// projected token vectors of the cells it covers, each weighted by its share inside the box
// (`poolBoxes`). A box outside the model's centre crop takes the cell nearest to it.
import type { Box, PreprocessSpec, TokenMatrix } from '../types.ts';
import { cellBoxes, tokenGrid } from './token-cells.ts';

export interface TokenCells {
  /** Unit vector of each cell, row by row. */
  vectors: Float32Array[];
  /** The box of the original image that each cell covers. */
  boxes: Box[];
}

/** The image's cells: its projected tokens (a leading summary token dropped) and where they lie. */
/** The head's input rows of the cells [count, dim] (a leading summary token dropped), for cellSets. */
export function headCellRows(headTokens: TokenMatrix): TokenMatrix {
  const { skipFirst } = tokenGrid(headTokens.count);
  return skipFirst ? { data: headTokens.data.subarray(headTokens.dim), count: headTokens.count - 1, dim: headTokens.dim } : headTokens;
}

/** For each box, its cells' head input rows: those at least half inside it, else the best covered. */
export function cellSets(cells: TokenCells, rows: TokenMatrix, boxes: readonly Box[]): TokenMatrix[] {
  const { dim } = rows;
  return boxes.map((box) => {
    const shares = cells.boxes.map((cell) => overlap(cell, box) / (cell.w * cell.h));
    let chosen = shares.flatMap((w, i) => (w >= 0.5 ? [i] : []));
    if (chosen.length === 0) {
      const best = shares.reduce((b, w, i) => (w > shares[b] ? i : b), 0);
      chosen = [shares[best] > 0 ? best : nearestCell(cells, box)];
    }
    const data = new Float32Array(chosen.length * dim);
    chosen.forEach((c, k) => data.set(rows.data.subarray(c * dim, (c + 1) * dim), k * dim));
    return { data, count: chosen.length, dim };
  });
}

export function tokenCells(tokenEmbeds: TokenMatrix, width: number, height: number, spec: PreprocessSpec): TokenCells {
  const { side, skipFirst } = tokenGrid(tokenEmbeds.count);
  const { data, dim } = tokenEmbeds;
  const vectors: Float32Array[] = [];
  for (let t = skipFirst ? 1 : 0; t < tokenEmbeds.count; t++) {
    const v = data.slice(t * dim, (t + 1) * dim);
    let n = 0;
    for (let i = 0; i < dim; i++) n += v[i] * v[i];
    n = Math.sqrt(n) || 1;
    for (let i = 0; i < dim; i++) v[i] /= n;
    vectors.push(v);
  }
  return { vectors, boxes: cellBoxes(width, height, spec, side) };
}

function overlap(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  return ix * iy;
}

function nearestCell(cells: TokenCells, box: Box): number {
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  let best = 0;
  let bestDistance = Infinity;
  cells.boxes.forEach((c, i) => {
    const d = (c.x + c.w / 2 - cx) ** 2 + (c.y + c.h / 2 - cy) ** 2;
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  });
  return best;
}

/** Unit vector of each box, pooled from the cells it covers. */
export function poolBoxes(cells: TokenCells, boxes: readonly Box[]): Float32Array[] {
  const dim = cells.vectors[0]?.length ?? 0;
  return boxes.map((box) => {
    const out = new Float32Array(dim);
    let total = 0;
    cells.boxes.forEach((cell, i) => {
      const w = overlap(cell, box) / (cell.w * cell.h);
      if (w <= 0) return;
      total += w;
      const v = cells.vectors[i];
      for (let d = 0; d < dim; d++) out[d] += w * v[d];
    });
    if (total === 0) out.set(cells.vectors[nearestCell(cells, box)]);
    let n = 0;
    for (let d = 0; d < dim; d++) n += out[d] * out[d];
    n = Math.sqrt(n) || 1;
    for (let d = 0; d < dim; d++) out[d] /= n;
    return out;
  });
}
