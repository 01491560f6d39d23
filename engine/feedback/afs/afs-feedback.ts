// What the AFS's outputs become (feedback-spec section 5): the positive vector p as it comes, the
// negative vector of eq. 8 from the attention each item received, the per-item saliency maps, and the
// box-steering bias added to the cross-attention logits of the patches the user's boxes cover.
import type { Box } from '../../types.ts';
import { tokenGrid } from '../../regions/token-cells.ts';

/** Logit added per covered patch: +STRENGTH inside relevant boxes, -STRENGTH inside irrelevant ones. */
export const BOX_STEERING_STRENGTH = 5.0;

/** A_i: the attention item i received in all, summed over its tokens. */
export function itemShares(attention: readonly Float32Array[]): number[] {
  return attention.map((a) => a.reduce((s, x) => s + x, 0));
}

/**
 * eq. 8: n = sum_i softmax_i(-A_i / tau) v_i over the items' embeddings, so the items the summarizer
 * looked at least weigh most. Null for a single item (it would be its own, attended, embedding).
 */
export function afsNegativeVector(attention: readonly Float32Array[], vectors: readonly Float32Array[], tau: number): Float32Array | null {
  if (attention.length !== vectors.length) throw new Error(`${attention.length} attention rows but ${vectors.length} item vectors`);
  if (vectors.length < 2) return null;
  const logits = itemShares(attention).map((a) => -a / tau);
  const top = Math.max(...logits);
  const exps = logits.map((x) => Math.exp(x - top));
  const total = exps.reduce((s, x) => s + x, 0);
  const n = new Float32Array(vectors[0].length);
  vectors.forEach((v, i) => {
    const w = exps[i] / total;
    for (let d = 0; d < n.length; d++) n[d] += w * v[d];
  });
  return n;
}

/** The attention an item's patches received, as its patch grid (row by row), scaled to 0..255 by its largest. */
export interface SaliencyMap {
  /** Cells per side of the model's input square. */
  side: number;
  /** side × side bytes, row by row. */
  values: number[];
  /** A_i: the item's share of all the attention (0..1). */
  share: number;
}

export function saliencyMap(attention: Float32Array): SaliencyMap {
  const { side, skipFirst } = tokenGrid(attention.length);
  const cells = attention.subarray(skipFirst ? 1 : 0);
  const max = cells.reduce((m, x) => Math.max(m, x), 0);
  return {
    side,
    values: Array.from(cells, (x) => (max > 0 ? Math.round((255 * x) / max) : 0)),
    share: attention.reduce((s, x) => s + x, 0),
  };
}

export interface SteeringBox {
  box: Box;
  relevant: boolean;
}

/**
 * The bias of one item's tokens: ±strength on each cell whose centre lies inside a relevant / irrelevant
 * box (an irrelevant box wins where both cover a cell); the summary token (CLS / mean) is left at 0.
 * `cells` are the item's cell boxes in its own pixels (engine/regions/token-cells.ts cellBoxes).
 */
export function boxSteeringBias(tokenCount: number, cells: readonly Box[], boxes: readonly SteeringBox[], strength = BOX_STEERING_STRENGTH): Float32Array {
  const { side, skipFirst } = tokenGrid(tokenCount);
  if (cells.length !== side * side) throw new Error(`${cells.length} cell boxes for a ${side}x${side} token grid`);
  const bias = new Float32Array(tokenCount);
  cells.forEach((cell, c) => {
    const cx = cell.x + cell.w / 2;
    const cy = cell.y + cell.h / 2;
    let mark = 0;
    for (const { box, relevant } of boxes) {
      if (cx >= box.x && cx <= box.x + box.w && cy >= box.y && cy <= box.y + box.h) mark = relevant ? Math.min(1, mark + 1) : -1;
      if (mark === -1) break;
    }
    bias[c + (skipFirst ? 1 : 0)] = strength * mark;
  });
  return bias;
}
