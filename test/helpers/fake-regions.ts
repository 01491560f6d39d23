// Deterministic regions for store tests: the content of image `id` can be recomputed to verify it.
import type { RegionSourceTag } from '../../engine/regions/region-store.ts';

export function fakeRegions(id: number, dim: number, count = 20 + (id % 17)): { box: { x: number; y: number; w: number; h: number }; source: RegionSourceTag; embedding: Float32Array }[] {
  const out = [];
  for (let r = 0; r < count; r++) {
    const embedding = new Float32Array(dim);
    for (let i = 0; i < dim; i++) embedding[i] = Math.sin(id * 0.37 + r * 1.3 + i * 0.11);
    out.push({ box: { x: r, y: id % 100, w: 10 + r, h: 20 }, source: 'proposer' as const, embedding });
  }
  return out;
}
