import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricsFromRanks, rankOfTarget } from '../eval/metrics.ts';
import { topK } from '../eval/strategy.ts';

test('the rank of the target counts the images scored at least as high (ties count against it)', () => {
  const scores = [0.1, 0.9, 0.5, 0.5, 0.7];
  assert.equal(rankOfTarget(scores, 1), 0);
  assert.equal(rankOfTarget(scores, 4), 1);
  assert.equal(rankOfTarget(scores, 2), 3); // 0.9, 0.7 and the tied 0.5 come first
  assert.equal(rankOfTarget(scores, 0), 4);
});

test('Hits@k and MRR@5 of a hand-made ranking', () => {
  // Targets at ranks 1, 3, 5, 8 and 13 (0-based 0, 2, 4, 7, 12).
  const m = metricsFromRanks([0, 2, 4, 7, 12]);
  assert.equal(m['hits@1'], 1 / 5);
  assert.equal(m['hits@5'], 3 / 5);
  assert.equal(m['hits@10'], 4 / 5);
  // (1 + 1/3 + 1/5) / 5: the ranks 8 and 13 are outside the top 5 and add 0.
  assert.ok(Math.abs(m['mrr@5'] - 0.30666666) < 1e-6, `mrr@5 = ${m['mrr@5']}`);
});

test('a ranking through scores: three queries over four images', () => {
  const perQuery = [
    { scores: [0.9, 0.2, 0.3, 0.1], target: 0 }, // rank 1
    { scores: [0.8, 0.6, 0.7, 0.1], target: 1 }, // rank 3
    { scores: [0.3, 0.4, 0.5, 0.2], target: 3 }, // rank 4
  ];
  const m = metricsFromRanks(perQuery.map((q) => rankOfTarget(q.scores, q.target)));
  assert.equal(m['hits@1'], 1 / 3);
  assert.equal(m['hits@5'], 1);
  assert.ok(Math.abs(m['mrr@5'] - (1 + 1 / 3 + 1 / 4) / 3) < 1e-9);
});

test('top-k is best first with ties to the lower index', () => {
  assert.deepEqual(
    topK(Float32Array.from([0.5, 0.75, 0.5, 0.25]), 3).map((h) => h.id),
    [1, 0, 2],
  );
});

test('no queries is an error, not a silent zero', () => {
  assert.throws(() => metricsFromRanks([]), /no queries/);
});
