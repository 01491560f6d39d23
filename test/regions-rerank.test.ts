import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegionStore } from '../engine/regions/region-store.ts';
import { rerankByRegions, type RegionMark } from '../engine/regions/rerank.ts';

const v = (...xs: number[]): Float32Array => Float32Array.from(xs);
const box = (x: number) => ({ x, y: 0, w: 10, h: 10 });

// Hand-made 2-D world. Marks: m1 = (1,0) and m2 = (0,1) relevant, m3 = (0.6,0.8) irrelevant; λ = 1, μ = 0.5.
//   image 1 (cos 0.5), regions (1,0) (0,1):   m1 1, m2 1, m3 0.8 → 0.5 + (1+1)/2 − 0.5·0.8     = 1.10
//   image 2 (cos 0.6), region (0.6,0.8):      m1 0.6, m2 0.8, m3 1 → 0.6 + (0.6+0.8)/2 − 0.5·1 = 0.80
//   image 3 (cos 0.7), no regions stored; its image vector (0.8,0.6) stands in:
//                                             m1 0.8, m2 0.6, m3 0.96 → 0.7 + 0.7 − 0.48      = 0.92
const marks: RegionMark[] = [
  { label: 'm1', vector: v(1, 0), relevant: true },
  { label: 'm2', vector: v(0, 1), relevant: true },
  { label: 'm3', vector: v(0.6, 0.8), relevant: false },
];
const candidates = [
  { id: 1, score: 0.5 },
  { id: 2, score: 0.6 },
  { id: 3, score: 0.7 },
];

test('region-against-region scores and explanations match hand-computed values, through the region store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vr-rerank-'));
  try {
    const store = RegionStore.open(join(dir, 'regions.bin'), { dim: 2, dtype: 'fp16', label: 'proposer' });
    store.put([
      { id: 1, regions: [{ box: box(0), source: 'proposer', embedding: v(1, 0) }, { box: box(20), source: 'proposer', embedding: v(0, 1) }] },
      { id: 2, regions: [{ box: box(40), source: 'proposer', embedding: v(0.6, 0.8) }] },
    ]);
    const ranked = rerankByRegions(candidates, marks, {
      lambda: 1,
      mu: 0.5,
      regionsOf: (id) => store.getMatrix(id),
      fallbackOf: (id) => (id === 3 ? { vector: v(0.8, 0.6), width: 64, height: 48 } : undefined),
    });
    assert.deepEqual(ranked.map((r) => r.id), [1, 3, 2]);
    const expected = [1.1, 0.92, 0.8];
    ranked.forEach((r, i) => assert.ok(Math.abs(r.score - expected[i]) < 2e-3, `image ${r.id}: ${r.score} ≈ ${expected[i]}`));
    const first = ranked[0];
    assert.deepEqual(
      first.matches.map((m) => [m.mark, m.box.x, m.relevant]),
      [
        ['m1', 0, true],
        ['m2', 20, true],
        ['m3', 20, false],
      ],
    );
    assert.deepEqual(ranked[1].matches[0].box, { x: 0, y: 0, w: 64, h: 48 }, 'the whole image explains a match when no regions are stored');
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('λ and μ weigh the relevant and irrelevant terms; without marks the global order stands', () => {
  const regionsOf = (id: number) =>
    id === 1 ? { count: 2, boxes: [box(0), box(20)], sources: ['window' as const, 'window' as const], vectors: v(1, 0, 0, 1) } : { count: 1, boxes: [box(40)], sources: ['window' as const], vectors: v(0.6, 0.8) };
  const two = candidates.slice(0, 2);
  // λ = 0, μ = 2: image 1 → 0.5 − 2·0.8 = −1.1; image 2 → 0.6 − 2·1 = −1.4.
  const r = rerankByRegions(two, marks, { lambda: 0, mu: 2, regionsOf });
  assert.ok(Math.abs(r[0].score - -1.1) < 1e-6 && Math.abs(r[1].score - -1.4) < 1e-6);
  assert.deepEqual(rerankByRegions(two, [], { lambda: 1, mu: 0.5, regionsOf }).map((x) => x.id), [2, 1]);
  assert.throws(() => rerankByRegions(two, [{ label: 'bad', vector: v(1, 0, 0), relevant: true }, ...marks], { lambda: 1, mu: 1, regionsOf }), /mark/);
});

test('a search turn re-ranks only the top-N of the vector search and returns k results with their explanations', async () => {
  const { searchWithRegions } = await import('../engine/regions/region-search.ts');
    const { matchesForResult } = await import('../engine/regions/rerank.ts');
  // Global scores: image 1 0.5, image 2 0.6, image 3 0.7 (as above), image 4 0.2 with a region that matches m1 and m2 perfectly.
  const globals = new Map([
    [1, 0.5],
    [2, 0.6],
    [3, 0.7],
    [4, 0.2],
  ]);
  const regions = new Map([
    [1, { count: 2, boxes: [box(0), box(20)], sources: ['proposer' as const, 'proposer' as const], vectors: v(1, 0, 0, 1) }],
    [2, { count: 1, boxes: [box(40)], sources: ['proposer' as const], vectors: v(0.6, 0.8) }],
    [3, { count: 1, boxes: [box(60)], sources: ['proposer' as const], vectors: v(0.8, 0.6) }],
    [4, { count: 2, boxes: [box(0), box(20)], sources: ['proposer' as const, 'proposer' as const], vectors: v(1, 0, 0, 1) }],
  ]);
  const sources = {
    search: (_q: Float32Array, k: number) => [...globals].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score).slice(0, k),
    regionsOf: (id: number) => regions.get(id),
  };
  const three = searchWithRegions(sources, v(1, 0), marks, { k: 2, pool: 3, lambda: 1, mu: 0.5 });
  assert.deepEqual(three.map((r) => r.id), [1, 3], 'image 4 is outside the top 3 and stays out');
  const all = searchWithRegions(sources, v(1, 0), marks, { k: 2, pool: 4, lambda: 1, mu: 0.5 });
  assert.deepEqual(all.map((r) => r.id), [1, 3]);
  assert.ok(Math.abs(all[0].score - 1.1) < 1e-6);
  const four = searchWithRegions(sources, v(1, 0), marks.slice(0, 2), { k: 4, pool: 4, lambda: 1, mu: 0.5 });
  // Relevant marks only: image 1 = 0.5 + 1 = 1.5, image 3 = 0.7 + 0.7 = 1.4, image 2 = 0.6 + 0.7 = 1.3, image 4 = 0.2 + 1 = 1.2.
  assert.deepEqual(four.map((r) => r.id), [1, 3, 2, 4]);
  assert.ok(Math.abs(four[3].score - 1.2) < 1e-6);
  assert.deepEqual(matchesForResult(four[0]), [
    { mark: 'm1', box: box(0), score: 1 },
    { mark: 'm2', box: box(20), score: 1 },
  ]);
});
