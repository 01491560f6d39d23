// From a refine-query call to composeFeedback's inputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { feedbackInputs, planFeedback } from '../engine/feedback/feedback-plan.ts';

const v = (...xs: number[]) => new Float32Array(xs);
const box = { x: 1, y: 2, w: 3, h: 4 };
const last = [
  { id: 5, rank: 1 },
  { id: 7, rank: 2 },
  { id: 9, rank: 3 },
];

test('the plan resolves ranks named in the comment, merges pending regions and lists texts to encode', () => {
  const plan = planFeedback(
    {
      relevant: [5],
      irrelevant: [9],
      regions: [{ imageId: 5, box, caption: 'red circle', relevant: true, regionId: 'r-a' }],
      comment: 'like the second one, no people',
      text: ' at night ',
    },
    last,
    [
      { imageId: 5, box, caption: 'red circle', relevant: true, regionId: 'r-a' },
      { imageId: 7, box, caption: 'grass', relevant: false, regionId: 'r-b' },
    ],
  );
  assert.deepEqual(plan.relevantIds, [5, 7]);
  assert.deepEqual(plan.irrelevantIds, [9]);
  assert.deepEqual(
    plan.regions.map((r) => r.regionId),
    ['r-a', 'r-b'],
  );
  assert.deepEqual(plan.explicit, ['at night']);
  // Region captions become region marks, not query texts.
  assert.deepEqual(plan.texts, ['people', 'at night']);

  const inputs = feedbackInputs(plan, {
    texts: new Map([
      ['red circle', v(1, 0)],
      ['grass', v(0, 1)],
      ['people', v(1, 1)],
      ['at night', v(-1, 0)],
    ]),
    images: new Map([
      [5, v(1, 0)],
      [7, v(0, 1)],
      [9, v(1, 1)],
    ]),
  });
  assert.deepEqual(
    inputs.judged?.positive.map((i) => [i.label, i.modality]),
    [
      ['5', 'image'],
      ['7', 'image'],
    ],
  );
  assert.equal('regions' in inputs, false);
  assert.deepEqual(
    inputs.comment?.negative.map((i) => i.label),
    ['people'],
  );
  assert.deepEqual(inputs.comment?.positive, []);
  assert.deepEqual(
    inputs.explicit?.map((i) => i.label),
    ['at night'],
  );
  assert.equal(inputs.prf, undefined);
});

test('explicit marks win over ranks named in the comment', () => {
  const plan = planFeedback({ relevant: [5], irrelevant: [7], comment: 'not like the first one, like the second one' }, last);
  assert.deepEqual(plan.relevantIds, [5]);
  assert.deepEqual(plan.irrelevantIds, [7]);
});

test('a comment that cannot be applied says so instead of being dropped', () => {
  // "the second one" is marked irrelevant; there is no eighth result.
  const plan = planFeedback({ irrelevant: [7], comment: 'like the second one and the eighth one' }, last);
  assert.deepEqual(plan.notApplied, [
    'the comment likes result 2, but it is marked irrelevant: the mark was used',
    `the comment names result 8, but the last turn has ${last.length} results`,
  ]);
  assert.deepEqual(planFeedback({ comment: 'like the second one' }, last).notApplied, []);
});

test('an embedding the caller did not provide is an error, not a silent gap', () => {
  const plan = planFeedback({ comment: 'no people' }, last);
  assert.throws(() => feedbackInputs(plan, { texts: new Map(), images: new Map() }), /no text embedding for "people"/);
  assert.deepEqual(feedbackInputs(planFeedback({}, last), { texts: new Map(), images: new Map() }), {});
});
