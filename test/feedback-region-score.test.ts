// Region-against-region scoring and the movement explanation, against hand-computed values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { regionScore, type RegionMark } from '../engine/regions/region-score.ts';
import { rerankByRegions } from '../engine/regions/rerank.ts';
import type { RegionMatrix } from '../engine/regions/region-store.ts';
import { explainMovement, summarizeRefinement } from '../engine/feedback/movement.ts';

const v = (...xs: number[]) => new Float32Array(xs);
const box = (x: number) => ({ x, y: 0, w: 10, h: 10 });
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-5, `${a} != ${b}`);

test('score = global + lambda * mean best match of relevant marks - mu * same of irrelevant marks', () => {
  const marks: RegionMark[] = [
    { label: 'red circle', vector: v(1, 0), relevant: true },
    { label: 'green star', vector: v(0, 2), relevant: true },
    { label: 'grass', vector: v(1, 1), relevant: false },
  ];
  const regions = [
    { box: box(0), vector: v(0.6, 0.8) },
    { box: box(10), vector: v(1, 0) },
    { box: box(20), vector: v(0, -1) },
  ];
  // red circle: cos with regions (0.6, 1, 0) -> best region 1, 1.0
  // green star: (0.8, 0, -1) -> best region 0, 0.8
  // grass (0.707107, 0.707107): (0.989949, 0.707107, -0.707107) -> best region 0, 0.989949
  // relevant term (1 + 0.8) / 2 = 0.9; irrelevant term 0.989949
  // score = 0.3 + 1 * 0.9 - 0.5 * 0.989949 = 0.705025
  const r = regionScore(0.3, marks, regions, { lambda: 1, mu: 0.5 });
  close(r.relevantTerm, 0.9);
  close(r.irrelevantTerm, 0.989949);
  close(r.score, 0.705025);
  assert.deepEqual(
    r.matches.map((m) => [m.mark, m.relevant, m.regionIndex, m.box.x]),
    [
      ['red circle', true, 1, 10],
      ['green star', true, 0, 0],
      ['grass', false, 0, 0],
    ],
  );
  close(r.matches[1].similarity, 0.8);
});

test('five marks (four scored together, one alone) match the regions a mark-by-mark cosine picks', () => {
  // Hand-made 3-d vectors; the best region of each mark by plain cosine is written beside it.
  const regions = [v(1, 0, 0), v(0, 1, 0), v(0, 0, 1), v(1, 1, 1)].map((vector, i) => ({ box: box(10 * i), vector }));
  const marks: RegionMark[] = [
    { label: 'x', vector: v(2, 0.1, 0), relevant: true }, // region 0: cos 0.9988
    { label: 'y', vector: v(0, 3, 0.2), relevant: true }, // region 1: cos 0.9978
    { label: 'z', vector: v(0.1, 0, 1), relevant: false }, // region 2: cos 0.9950
    { label: 'all', vector: v(1, 1, 0.9), relevant: true }, // region 3: cos 0.9991
    { label: '-z', vector: v(0, 0, -1), relevant: false }, // best is 0 (regions 0 and 1; the first wins)
  ];
  const r = regionScore(0, marks, regions, { lambda: 1, mu: 1 });
  assert.deepEqual(r.matches.map((m) => m.regionIndex), [0, 1, 2, 3, 0]);
  close(r.matches[0].similarity, 2 / Math.sqrt(4.01));
  close(r.matches[1].similarity, 3 / Math.sqrt(9.04));
  close(r.matches[2].similarity, 1 / Math.sqrt(1.01));
  close(r.matches[3].similarity, 2.9 / (Math.sqrt(2.81) * Math.sqrt(3)));
  close(r.matches[4].similarity, 0);
  close(r.relevantTerm, (2 / Math.sqrt(4.01) + 3 / Math.sqrt(9.04) + 2.9 / (Math.sqrt(2.81) * Math.sqrt(3))) / 3);
  close(r.irrelevantTerm, (1 / Math.sqrt(1.01) + 0) / 2);
});

test('an image without regions keeps its global score', () => {
  const r = regionScore(0.42, [{ label: 'x', vector: v(1, 0), relevant: true }], [], { lambda: 1, mu: 0.5 });
  assert.equal(r.score, 0.42);
  assert.deepEqual(r.matches, []);
});

test('reranking lifts the image that has the marked thing somewhere', () => {
  // id 1: 0.5 + cos((1,0), (0,-1)) = 0.5 + 0 = 0.5; id 2: 0.3 + cos((1,0), (1,0)) = 1.3
  const regions: Record<number, RegionMatrix> = {
    1: { count: 1, vectors: v(0, -1), boxes: [box(0)], sources: ['proposer'] },
    2: { count: 1, vectors: v(1, 0), boxes: [box(5)], sources: ['proposer'] },
  };
  const ranked = rerankByRegions(
    [
      { id: 1, score: 0.5 },
      { id: 2, score: 0.3 },
    ],
    [{ label: 'red circle', vector: v(1, 0), relevant: true }],
    { lambda: 1, mu: 0.5, regionsOf: (id) => regions[id] },
  );
  assert.deepEqual(
    ranked.map((h) => h.id),
    [2, 1],
  );
  close(ranked[0].score, 1.3);
  assert.equal(ranked[0].matches[0].box.x, 5);
});

test('movement between two turns', () => {
  // before: 10 11 12 13; after: 12 10 14 11
  // 12: 3 -> 1 (up 2); 10: 1 -> 2 (down 1); 14: new; 11: 2 -> 4 (down 2); 13 dropped out
  const m = explainMovement([10, 11, 12, 13], [12, 10, 14, 11]);
  assert.deepEqual(m.items, [
    { id: 12, rank: 1, previousRank: 3, movement: 2 },
    { id: 10, rank: 2, previousRank: 1, movement: -1 },
    { id: 14, rank: 3, previousRank: null, movement: null },
    { id: 11, rank: 4, previousRank: 2, movement: -2 },
  ]);
  assert.deepEqual([m.movedUp, m.movedDown, m.newResults, m.unchanged, m.droppedOut], [1, 2, 1, 0, [13]]);
  assert.equal(
    summarizeRefinement([{ source: 'comment', weight: 0.2, negativeWeight: 0.2, positive: ['beach'], negative: ['people'] }], m),
    'Used comment (+beach, -people). 1 moved up, 2 moved down, 1 new.',
  );
  // Marked images are counted, not listed by id (an id reads like a rank in the web app).
  assert.equal(
    summarizeRefinement([{ source: 'judged', weight: 0.2, negativeWeight: 0.2, positive: ['37', '5'], negative: ['12'] }], m),
    'Used marked images (2 relevant, 1 irrelevant). 1 moved up, 2 moved down, 1 new.',
  );
});
