// Composition of feedback sources into one refined query, with the weights worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  composeFeedback,
  composeOptionsFromConfig,
  fuseModalityScores,
  type ComposeOptions,
  type FeedbackItem,
  type Modality,
} from '../engine/feedback/compose.ts';
import { loadFeedbackConfig } from '../engine/feedback/config.ts';

const item = (label: string, modality: Modality, ...xs: number[]): FeedbackItem => ({ label, modality, vector: new Float32Array(xs) });
const vec = (...xs: number[]) => new Float32Array(xs);

function assertClose(actual: ArrayLike<number>, expected: number[], tol = 1e-5): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) < tol, `[${i}] ${actual[i]} != ${expected[i]} (all: ${Array.from(actual).join(', ')})`);
  }
}

function options(overrides: Partial<ComposeOptions> = {}): ComposeOptions {
  return {
    alpha: 0.8,
    sources: {
      judged: { positive: 0.2, negative: 0.2 },
      comment: { positive: 0.1, negative: 0.1 },
      explicit: { positive: 0.1, negative: 0 },
      prf: { positive: 0.1, negative: 0.1 },
      afs: { positive: 0.1, negative: 0.1 },
      grf: { positive: 0.1, negative: 0.1 },
    },
    judgedStrategy: 'auto',
    tau: 0.5,
    k: 2,
    modalityMode: 'raw',
    ...overrides,
  };
}

const textQuery = (...xs: number[]) => ({ vector: vec(...xs), modality: 'text' as const });

test('judged images alone: alpha q + 0.2 mean(relevant) - 0.2 mean(irrelevant)', () => {
  // 0.8*(1,0,0) + 0.2*(0,1,0) - 0.2*(0,0,1) = (0.8, 0.2, -0.2), norm sqrt(0.72) = 0.848528
  // -> (0.942809, 0.235702, -0.235702)
  const r = composeFeedback(textQuery(1, 0, 0), { judged: { positive: [item('7', 'image', 0, 3, 0)], negative: [item('9', 'image', 0, 0, 1)] } }, options());
  assertClose(r.state.vector, [0.942809, 0.235702, -0.235702]);
  assert.deepEqual(r.applied, [{ source: 'judged', weight: 0.2, negativeWeight: 0.2, positive: ['7'], negative: ['9'] }]);
  assert.equal(r.scoring.length, 1);
  assert.equal(r.scoring[0].vector, r.state.vector);
});

test('comment and explicit text together, each with its own weight (raw mode)', () => {
  // comment p = (0, .707107, .707107, 0); explicit p = (.707107, .707107, 0, 0)
  // sum = .8(1,0,0,0) + .1(0,.707107,.707107,0) + .1(.707107,.707107,0,0)
  //     = (0.870711, 0.141421, 0.070711, 0); norm = sqrt(0.783137) = 0.884950
  //  -> (0.983909, 0.159807, 0.079904, 0)
  const r = composeFeedback(
    textQuery(1, 0, 0, 0),
    {
      comment: { positive: [item('beach', 'text', 0, 1, 1, 0)], negative: [] },
      explicit: [item('at night', 'text', 1, 1, 0, 0)],
    },
    options(),
  );
  assertClose(r.state.vector, [0.983909, 0.159807, 0.079904, 0]);
  assert.deepEqual(
    r.applied.map((a) => [a.source, a.weight, a.negativeWeight, a.positive, a.negative]),
    [
      ['comment', 0.1, 0, ['beach'], []],
      ['explicit', 0.1, 0, ['at night'], []],
    ],
  );
});

test('a source with weight 0 is left out of the query and of the explanation', () => {
  const o = options();
  o.sources.comment = { positive: 0, negative: 0 };
  const r = composeFeedback(textQuery(1, 0), { comment: { positive: [item('beach', 'text', 0, 1)], negative: [] } }, o);
  assertClose(r.state.vector, [1, 0]);
  assert.deepEqual(r.applied, []);
});

test('extended-Rocchio judging weighs the relevant images nearest the query most', () => {
  // q = (1,0,0); relevant a = (1,1,0)/sqrt2, b = (0,1,0); cos = (0.707107, 0); tau 0.5
  // softmax(1.414214, 0) = 4.113250 / 5.113250 = (0.804430, 0.195570)
  // p = norm(0.804430*(.707107,.707107,0) + 0.195570*(0,1,0)) = norm(0.568817, 0.764387, 0) = (0.596991, 0.802248, 0)
  // q' = norm(0.8 + 0.2*0.596991, 0.2*0.802248, 0) = norm(0.919398, 0.160450, 0) = (0.985111, 0.171918, 0)
  const r = composeFeedback(
    textQuery(1, 0, 0),
    { judged: { positive: [item('1', 'image', 1, 1, 0), item('2', 'image', 0, 1, 0)], negative: [] } },
    options({ judgedStrategy: 'extended-rocchio' }),
  );
  assertClose(r.state.vector, [0.985111, 0.171918, 0]);
});

test('PRF inside the composition is eq. 1 + eq. 2 and explains the top and the hard negatives', () => {
  // Same numbers as the eq. 2 hand computation: q' = (0.995353, -0.096295)
  const r = composeFeedback(textQuery(1, 0), { prf: [item('1', 'image', 1, 0), item('2', 'image', 0, 1), item('3', 'image', 1, 1)] }, options());
  assertClose(r.state.vector, [0.995353, -0.096295]);
  assert.deepEqual(r.applied, [{ source: 'prf', weight: 0.1, negativeWeight: 0.1, positive: ['1'], negative: ['2'] }]);
});

test('centered mode subtracts the modality mean from feedback vectors before mixing', () => {
  // relevant image (0, .6, .8), image mean (0, 0, .8): centered -> (0, .6, 0) -> (0, 1, 0)
  // raw:      norm(0.8*(1,0,0) + 0.2*(0,.6,.8)) = norm(.8, .12, .16) = (0.970143, 0.145521, 0.194029)
  // centered: norm(0.8*(1,0,0) + 0.2*(0,1,0))   = norm(.8, .2, 0)    = (0.970143, 0.242536, 0)
  const inputs = { judged: { positive: [item('5', 'image', 0, 0.6, 0.8)], negative: [] } };
  assertClose(composeFeedback(textQuery(1, 0, 0), inputs, options()).state.vector, [0.970143, 0.145521, 0.194029]);
  const centered = options({ modalityMode: 'centered', modalityMeans: { image: vec(0, 0, 0.8) } });
  assertClose(composeFeedback(textQuery(1, 0, 0), inputs, centered).state.vector, [0.970143, 0.242536, 0]);
  assert.throws(() => composeFeedback(textQuery(1, 0, 0), inputs, options({ modalityMode: 'centered' })), /mean image embedding/);
});

test('per-modality mode keeps a text query and an image query, weighted by their evidence', () => {
  // text side:  norm(0.8*(1,0,0) + 0.1*(0,0,1)) = (0.992278, 0, 0.124035), weight 0.8 + 0.1 = 0.9
  // image side: norm(0.2*(0,1,0)) = (0,1,0), weight 0.2; fusion weights 0.9/1.1 and 0.2/1.1
  const inputs = {
    judged: { positive: [item('4', 'image', 0, 1, 0)], negative: [] },
    comment: { positive: [item('stripes', 'text', 0, 0, 1)], negative: [] },
  };
  const r = composeFeedback(textQuery(1, 0, 0), inputs, options({ modalityMode: 'per-modality' }));
  assertClose(r.state.vector, [0.992278, 0, 0.124035]);
  assertClose(r.state.other!, [0, 1, 0]);
  assert.deepEqual(
    r.scoring.map((s) => [s.modality, Number(s.weight.toFixed(6))]),
    [
      ['text', 0.818182],
      ['image', 0.181818],
    ],
  );
  assert.ok(Math.abs(r.state.otherWeight! - 0.2 / 0.9) < 1e-9);
  // Next turn the image side starts from its previous query: norm(0.8*(0,1,0) - 0.2*(1,0,0)) = (-0.242536, 0.970143, 0)
  // side weights: text 0.8 * 1 = 0.8; image 0.8 * (0.2/0.9) + 0.2 = 0.377778 -> fusion 0.679245 / 0.320755
  const next = composeFeedback(r.state, { judged: { positive: [], negative: [item('8', 'image', 1, 0, 0)] } }, options({ modalityMode: 'per-modality' }));
  assertClose(next.state.vector, [0.992278, 0, 0.124035]);
  assertClose(next.state.other!, [-0.242536, 0.970143, 0]);
  assertClose(
    next.scoring.map((s) => s.weight),
    [0.679245, 0.320755],
  );
  // A turn with no image-side feedback keeps the image side's share: 0.8 * 0.472222 / 0.8.
  const quiet = composeFeedback(next.state, {}, options({ modalityMode: 'per-modality' }));
  assertClose(
    quiet.scoring.map((s) => s.weight),
    [0.679245, 0.320755],
  );
});

test('fuse initial query averages the original query back in', () => {
  // nothing else: q' = q = (1,0); fused: norm((1,0) + (0,1)) = (0.707107, 0.707107)
  const r = composeFeedback(textQuery(1, 0), {}, options({ fuseInitial: vec(0, 3) }));
  assertClose(r.state.vector, [0.707107, 0.707107]);
  assert.deepEqual(r.applied, [{ source: 'fuse', weight: 0.5, negativeWeight: 0, positive: ['initial query'], negative: [] }]);
});

test('config defaults and per-call overrides', () => {
  const config = loadFeedbackConfig();
  const o = composeOptionsFromConfig(config, { judged: 0.5, explicit: 0.3, alpha: 0.7, temperature: 0.1 });
  assert.equal(o.alpha, 0.7);
  assert.equal(o.tau, 0.1);
  assert.deepEqual(o.sources.judged, { positive: 0.5, negative: 0.5 });
  assert.deepEqual(o.sources.explicit, { positive: 0.3, negative: 0 });
  assert.deepEqual(o.sources.comment, config.compose.sources.comment);
  assert.equal('regions' in o.sources, false, 'boxed regions re-rank; they have no query weight');
  assert.equal(o.modalityMode, config.compose.modalityMode);
});

test('per-modality scores are standardised before fusing', () => {
  // text cosines (0.2, 0.3, 0.25): mean 0.25, sd 0.040825 -> z (-1.224745, 1.224745, 0)
  // image cosines (0.9, 0.6, 0.75): mean 0.75, sd 0.122474 -> z (1.224745, -1.224745, 0)
  // weights 0.75 / 0.25 -> (-0.612372, 0.612372, 0): the text side wins although image cosines are larger.
  assertClose(
    fuseModalityScores(
      [
        [0.2, 0.3, 0.25],
        [0.9, 0.6, 0.75],
      ],
      [0.75, 0.25],
    ),
    [-0.612372, 0.612372, 0],
  );
  assert.deepEqual(fuseModalityScores([[0.2, 0.3]], [1]), [0.2, 0.3]);
});
