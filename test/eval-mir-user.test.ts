// The simulated user of mental-image retrieval: the description it types, the details it adds, and
// the difference it names after seeing the best result or the painted picture of its description.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EvalImage } from '../eval/dataset.ts';
import { addDetail, correctionAfterSeeing, describeFacts, firstDifference, initialFacts, randomDetail, seenFromImage, seenFromPainting, unsaidDetails } from '../eval/mir-user.ts';
import { initialDescription } from '../eval/mir-strategies.ts';
import { paintDescription } from '../engine/generation/world-painter.ts';

const target: EvalImage = {
  index: 7,
  path: '/nowhere/target.png',
  filename: 'target.png',
  captions: ['a red circle on the grass'],
  background: 'grass',
  objects: [
    { box: [20, 90, 40, 40], shape: 'circle', colour: 'red', size: 'small', pattern: 'striped' },
    { box: [150, 90, 60, 60], shape: 'square', colour: 'blue', size: 'large', pattern: 'solid' },
  ],
};

test('starts from the first object and writes every detail in the words of the captions', () => {
  assert.equal(initialDescription(target), 'a red circle');
  let facts = initialFacts(target);
  facts = addDetail(facts, { kind: 'object', object: 1 });
  facts = addDetail(facts, { kind: 'size', object: 0 });
  facts = addDetail(facts, { kind: 'pattern', object: 1 });
  facts = addDetail(facts, { kind: 'background' });
  facts = addDetail(facts, { kind: 'relation', subject: 0, relation: 'left-of', object: 1 });
  const text = describeFacts(target, facts);
  assert.equal(text, 'a small red circle and a blue plain square on grass, the red circle is to the left of the blue square');
  // The painter reads back exactly what the user said.
  const painted = paintDescription(text);
  assert.deepEqual(painted.parsed.unknown, []);
  assert.equal(painted.parsed.background, 'grass');
  assert.deepEqual(painted.parsed.relations, [{ subject: 0, kind: 'left-of', object: 1 }]);
});

test('the text user adds a detail not given yet, the same one for the same target and turn', () => {
  const facts = initialFacts(target);
  const detail = randomDetail(target, facts, 1);
  assert.ok(detail);
  assert.deepEqual(randomDetail(target, facts, 1), detail);
  assert.ok(unsaidDetails(target, facts).some((d) => JSON.stringify(d) === JSON.stringify(detail)));
});

test('seeing the painted picture, the user names what it got wrong, and nothing the picture already shows', () => {
  let facts = initialFacts(target);
  const plain = paintDescription(describeFacts(target, facts));
  assert.deepEqual(firstDifference(target, facts, seenFromPainting(plain.scene, false)), { kind: 'background' }, 'a plain backdrop is wrong first');
  facts = addDetail(addDetail(facts, { kind: 'background' }), { kind: 'object', object: 1 });
  const painting = paintDescription(describeFacts(target, facts));
  const seen = seenFromPainting(painting.scene, true);
  // The square is drawn plain (solid), as it is in the target: its pattern is no difference; the
  // circle is drawn medium and plain where the target's is small and striped.
  assert.deepEqual(firstDifference(target, facts, seen), { kind: 'size', object: 0 });
  facts = addDetail(facts, { kind: 'size', object: 0 });
  assert.deepEqual(firstDifference(target, facts, seen), { kind: 'pattern', object: 0 });
});

test('seeing the target itself there is no difference left, and the user falls back to a new detail', () => {
  const facts = initialFacts(target);
  assert.equal(firstDifference(target, facts, seenFromImage(target)), undefined);
  assert.deepEqual(correctionAfterSeeing(target, facts, seenFromImage(target), 2), randomDetail(target, facts, 2));
});
