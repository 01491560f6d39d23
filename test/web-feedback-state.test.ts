// The feedback a user gathers in the browser, and the refine request it turns into.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyFeedback, feedbackReducer, toRefineRequest, type FeedbackAction, type PendingFeedback } from '../web/src/state/feedback.ts';

const run = (actions: FeedbackAction[], from: PendingFeedback = emptyFeedback) => actions.reduce(feedbackReducer, from);
const draft = (key: string, imageId: number) => ({ key, imageId, box: { x: 10, y: 20, w: 30, h: 40 }, relevant: true, caption: '', captionState: 'pending' as const, edited: false });

test('marks toggle and are grouped into relevant and irrelevant ids', () => {
  const state = run([
    { type: 'mark', imageId: 3, mark: 'relevant' },
    { type: 'mark', imageId: 8, mark: 'irrelevant' },
    { type: 'mark', imageId: 5, mark: 'relevant' },
    { type: 'mark', imageId: 5, mark: undefined },
  ]);
  const request = toRefineRequest(state);
  assert.deepEqual(request.relevant, [3]);
  assert.deepEqual(request.irrelevant, [8]);
});

test('a caption the user edited is kept when the automatic caption arrives later', () => {
  const state = run([
    { type: 'add-box', box: draft('a', 4) },
    { type: 'edit-caption', key: 'a', caption: 'red striped ball' },
    { type: 'caption-done', key: 'a', caption: 'a circle' },
  ]);
  assert.equal(state.boxes[0].caption, 'red striped ball');
  assert.equal(state.boxes[0].captionState, 'done');
});

test('boxes go out in pixels with their edited captions and relevance', () => {
  const state = run([
    { type: 'add-box', box: draft('a', 4) },
    { type: 'caption-done', key: 'a', caption: 'a dog' },
    { type: 'add-box', box: draft('b', 9) },
    { type: 'set-relevance', key: 'b', relevant: false },
    { type: 'move-box', key: 'b', box: { x: 1, y: 2, w: 3, h: 4 } },
  ]);
  assert.deepEqual(toRefineRequest(state).regions, [
    { imageId: 4, box: { x: 10, y: 20, w: 30, h: 40 }, units: 'px', relevant: true, caption: 'a dog' },
    { imageId: 9, box: { x: 1, y: 2, w: 3, h: 4 }, units: 'px', relevant: false },
  ]);
});

test('deleting a box and clearing after a turn', () => {
  const state = run([{ type: 'add-box', box: draft('a', 4) }, { type: 'add-box', box: draft('b', 4) }, { type: 'delete-box', key: 'a' }]);
  assert.deepEqual(state.boxes.map((b) => b.key), ['b']);
  assert.deepEqual(run([{ type: 'clear' }], state), emptyFeedback);
});

test('an earlier box taken back is sent as removeRegions once, and can be kept after all', () => {
  const state = run([
    { type: 'remove-region', key: 'k-000000000001' },
    { type: 'remove-region', key: 'k-000000000002' },
    { type: 'remove-region', key: 'k-000000000001' },
    { type: 'keep-region', key: 'k-000000000002' },
  ]);
  assert.deepEqual(toRefineRequest(state).removeRegions, ['k-000000000001']);
  assert.equal(toRefineRequest(emptyFeedback).removeRegions, undefined, 'nothing removed: the field is left out');
});
