// The Rocchio family against values worked out by hand (docs/feedback.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  explicitFeedback,
  extendedRocchio,
  generativeRelevanceFeedback,
  originalRocchio,
  pseudoRelevanceFeedback,
  visualRefRocchio,
} from '../engine/feedback/rocchio.ts';
import { loadFeedbackConfig } from '../engine/feedback/config.ts';

const v = (...xs: number[]) => new Float32Array(xs);

function assertClose(actual: ArrayLike<number>, expected: number[], tol = 1e-5): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) < tol, `[${i}] ${actual[i]} != ${expected[i]} (all: ${Array.from(actual).join(', ')})`);
  }
}

test('extended Rocchio, 2-D: eq. 1 weights, p, n and eq. 2', () => {
  // q = (1,0); v1 = (1,0), v2 = (0,1); tau = 0.5, K = 2.
  // cos = (1, 0) -> softmax(2, 0) = e^2 / (e^2 + 1) = 7.389056 / 8.389056 = 0.880797, and 0.119203.
  // p = norm(0.880797, 0.119203): norm = sqrt(0.775803 + 0.014209) = 0.888826 -> (0.990966, 0.134113)
  // n = norm(1 - w) = norm(0.119203, 0.880797) -> (0.134113, 0.990966)
  // q' = norm(0.8 + 0.0990966 - 0.0134113, 0.0134113 - 0.0990966) = norm(0.8856853, -0.0856853)
  //    norm = sqrt(0.784438 + 0.007342) = 0.889820 -> (0.995353, -0.096295)
  const r = extendedRocchio(v(1, 0), [v(1, 0), v(0, 1)], { alpha: 0.8, beta: 0.1, gamma: 0.1, tau: 0.5, k: 2 });
  assertClose(r.weights, [0.880797, 0.119203]);
  assertClose(r.p!, [0.990966, 0.134113]);
  assertClose(r.n!, [0.134113, 0.990966]);
  assertClose(r.query, [0.995353, -0.096295]);
});

test('extended Rocchio normalises its inputs, uses only the top K and the paper temperature', () => {
  // q = (3,4,0) -> (0.6, 0.8, 0); candidates (0,0,2) -> (0,0,1), (6,8,0) -> (0.6,0.8,0), third ignored (K=2).
  // cos = (0, 1); softmax((0, 1) / 0.05) = (e^-20 / (1 + e^-20), ...) = (2.06e-9, 0.999999998).
  // p ~ (0.6, 0.8, 0); n = norm(0.999999998*(0,0,1) + 2.06e-9*(0.6,0.8,0)) ~ (0, 0, 1).
  // q' = norm(0.8*(0.6,0.8,0) + 0.1*(0.6,0.8,0) - 0.1*(0,0,1)) = norm(0.54, 0.72, -0.1)
  //    norm = sqrt(0.2916 + 0.5184 + 0.01) = sqrt(0.82) = 0.905539 -> (0.596330, 0.795107, -0.110432)
  const r = extendedRocchio(v(3, 4, 0), [v(0, 0, 2), v(6, 8, 0), v(1, 0, 0)], {
    alpha: 0.8,
    beta: 0.1,
    gamma: 0.1,
    tau: 0.05,
    k: 2,
  });
  assert.equal(r.weights.length, 2);
  assert.ok(r.weights[0] < 1e-8 && r.weights[1] > 0.99999999);
  assertClose(r.query, [0.59633, 0.795107, -0.110432]);
});

test('with K = 1 the negative vector vanishes and only p pulls', () => {
  // w = (1); n = 0 * v -> no direction, weight 0. q' = norm(0.8*(1,0) + 0.1*(0,1)) = (0.992278, 0.124035)
  const r = extendedRocchio(v(1, 0), [v(0, 1)], { alpha: 0.8, beta: 0.1, gamma: 0.1, tau: 0.05, k: 1 });
  assert.equal(r.n, null);
  assertClose(r.query, [0.992278, 0.124035]);
});

test('PRF and GRF are extended Rocchio over image / caption vectors', () => {
  const opts = { alpha: 0.8, beta: 0.1, gamma: 0.1, tau: 0.5, k: 2 };
  assertClose(pseudoRelevanceFeedback(v(1, 0), [v(1, 0), v(0, 1)], opts).query, [0.995353, -0.096295]);
  assertClose(generativeRelevanceFeedback(v(1, 0), [v(1, 0), v(0, 1)], opts).query, [0.995353, -0.096295]);
});

test('original Rocchio: mean of the top-K minus mean of the bottom-K', () => {
  // q = (1,0,0); ranked a=(1,1,0)/sqrt2, b=(0,1,0), c=(0,0,1), d=(0,1,1)/sqrt2; K = 2.
  // p = (a+b)/2 = (0.353553, 0.853553, 0); n = (c+d)/2 = (0, 0.353553, 0.853553)
  // 0.8q + 0.1p - 0.1n = (0.8 + 0.0353553, 0.0853553 - 0.0353553, -0.0853553) = (0.835355, 0.05, -0.085355)
  // norm = sqrt(0.697818 + 0.0025 + 0.007286) = sqrt(0.707604) = 0.841192 -> (0.993061, 0.059439, -0.101469)
  const r = originalRocchio(v(1, 0, 0), [v(1, 1, 0), v(0, 1, 0), v(0, 0, 1), v(0, 1, 1)], {
    alpha: 0.8,
    beta: 0.1,
    gamma: 0.1,
    k: 2,
  });
  assertClose(r.p!, [0.353553, 0.853553, 0]);
  assertClose(r.n!, [0, 0.353553, 0.853553]);
  assertClose(r.query, [0.993061, 0.059439, -0.101469]);
});

test('VisualReF: mean of relevant minus mean of irrelevant, 0.6 / 0.2 / 0.2', () => {
  // q = (0,0,1); relevant (1,0,0), (0,1,0) -> p = (0.5, 0.5, 0); irrelevant (1,0,1) -> n = (0.707107, 0, 0.707107)
  // 0.6q + 0.2p - 0.2n = (0.1 - 0.141421, 0.1, 0.6 - 0.141421) = (-0.041421, 0.1, 0.458579)
  // norm = sqrt(0.001716 + 0.01 + 0.210294) = sqrt(0.222010) = 0.471180 -> (-0.087910, 0.212233, 0.973257)
  const w = { alpha: 0.6, beta: 0.2, gamma: 0.2 };
  assertClose(visualRefRocchio(v(0, 0, 1), [v(1, 0, 0), v(0, 2, 0)], [v(1, 0, 1)], w).query, [-0.08791, 0.212233, 0.973257]);
  // No irrelevant marks: the negative side weighs 0. 0.6q + 0.2p = (0.1, 0.1, 0.6), norm = sqrt(0.38) = 0.616441
  // -> (0.162221, 0.162221, 0.973329)
  const noNeg = visualRefRocchio(v(0, 0, 1), [v(1, 0, 0), v(0, 1, 0)], [], w);
  assert.equal(noNeg.n, null);
  assertClose(noNeg.query, [0.162221, 0.162221, 0.973329]);
  // Nothing marked at all: the query stays where it was.
  assertClose(visualRefRocchio(v(0, 0, 5), [], [], w).query, [0, 0, 1]);
});

test('explicit feedback: norm(alpha q + beta e_new)', () => {
  // 0.8*(1,0) + 0.1*(0,1) = (0.8, 0.1), norm = sqrt(0.65) = 0.806226 -> (0.992278, 0.124035)
  assertClose(explicitFeedback(v(1, 0), v(0, 2), { alpha: 0.8, beta: 0.1 }), [0.992278, 0.124035]);
});

test('configs/feedback.yaml holds the paper and demo defaults', () => {
  const c = loadFeedbackConfig();
  assert.deepEqual(c.rocchio, { alpha: 0.8, beta: 0.1, gamma: 0.1, tau: 0.05, k: 5 });
  assert.deepEqual(c.visualref, { alpha: 0.6, beta: 0.2, gamma: 0.2 });
  assert.deepEqual(c.regionScore, { lambda: 1, mu: 1 });
});

test('a zero query is refused instead of producing NaNs', () => {
  assert.throws(() => explicitFeedback(v(0, 0), v(1, 0), { alpha: 0.8, beta: 0.1 }), /zero/);
});
