// How one chat message becomes a tool call: what is searched, what feedback is sent, with which weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chatRequestBody, feedbackSources, type ChatRequestBody, type ChatSettings } from '../agent/chat/protocol.ts';
import { defaultSettings } from '../agent/chat/settings-defaults.ts';
import { feedbackConfigSchema, loadFeedbackConfig } from '../engine/feedback/config.ts';
import { querySources } from '../engine/feedback/sources.ts';
import { readUserTurn, refineInputFor, searchInputFor, TurnInputError, weightsFor } from '../agent/chat/turn-inputs.ts';

const settings: ChatSettings = {
  k: 8,
  sources: { judged: true, regions: true, comment: false, explicit: true, prf: false, grf: true, afs: false },
  weights: { alpha: 0.7, judged: 0.3, regions: 0.25, comment: 0.2, explicit: 0.2, prf: 0.1, grf: 0.15, afs: 0.1 },
  temperature: 0.05,
  depth: 5,
  excludeSeen: true,
  fuseQuery: false,
};

function body(parts: unknown[], request: unknown, sessionId?: string): ChatRequestBody {
  return chatRequestBody.parse({ id: 'chat-1', sessionId, message: { id: 'm1', role: 'user', parts, metadata: { request, settings } } });
}

test('the settings panel offers every feedback source; the config weighs those that enter the query', () => {
  assert.deepEqual([...feedbackSources], ['judged', 'regions', 'comment', 'explicit', 'prf', 'grf', 'afs']);
  assert.deepEqual(Object.keys(feedbackConfigSchema.shape.compose.shape.sources.shape), [...querySources]);
});

test('a typed query becomes a search with the configured result count and no session', () => {
  const b = body([{ type: 'text', text: '  a red ball on grass ' }], { action: 'search' }, 'old-session');
  assert.deepEqual(searchInputFor(readUserTurn(b.message), b), { k: 8, text: 'a red ball on grass' });
});

test('"more like this" searches by image id and continues the session', () => {
  const b = body([], { action: 'search', imageId: 42 }, 'sess-1');
  assert.deepEqual(searchInputFor(readUserTurn(b.message), b), { k: 8, imageId: 42, sessionId: 'sess-1' });
});

test('an uploaded image travels as base64 without its data: prefix', () => {
  const b = body([{ type: 'file', mediaType: 'image/png', url: 'data:image/png;base64,iVBORw0KGgo=' }], { action: 'search' });
  const input = searchInputFor(readUserTurn(b.message), b);
  assert.equal(input.imageBase64, 'iVBORw0KGgo=');
});

test('a file that is not an image data URL is refused', () => {
  const b = body([{ type: 'file', mediaType: 'image/png', url: 'file:///etc/passwd' }], { action: 'search' });
  assert.throws(() => readUserTurn(b.message), TurnInputError);
});

test('an empty search is refused with a message for the user', () => {
  const b = body([{ type: 'text', text: '   ' }], { action: 'search' });
  assert.throws(() => searchInputFor(readUserTurn(b.message), b), /type what you are looking for/);
});

test('sources switched off get weight 0 and their feedback is left out', () => {
  assert.deepEqual(weightsFor(settings), { alpha: 0.7, temperature: 0.05, judged: 0.3, regions: 0.25, comment: 0, explicit: 0.2, prf: 0, grf: 0.15, afs: 0 });
  const b = body(
    [{ type: 'text', text: 'no people' }],
    { action: 'refine', relevant: [1, 2], irrelevant: [3], regions: [{ imageId: 2, box: { x: 5, y: 6, w: 7, h: 8 }, units: 'px', caption: 'a dog', relevant: true }] },
    'sess-9',
  );
  const input = refineInputFor(readUserTurn(b.message), b);
  assert.equal(input.sessionId, 'sess-9');
  assert.deepEqual(input.relevant, [1, 2]);
  assert.deepEqual(input.irrelevant, [3]);
  assert.equal(input.regions?.[0].caption, 'a dog');
  assert.equal(input.comment, undefined, 'comment source is off');
  assert.equal(input.k, 8);
  assert.equal(input.excludeSeen, true);
  assert.equal(input.fuseInitial, false);
});

test('weights left at their defaults are not sent, so configs/feedback.yaml keeps deciding them', () => {
  const defaults: ChatSettings = { ...settings, weights: { ...settings.weights, judged: 0.2 }, sources: { ...settings.sources, comment: true } };
  // judged was changed from 0.2 to 0.3, comment was switched off; everything else is as configured,
  // except grf: it runs only on request, so being on sends its weight.
  assert.deepEqual(weightsFor(settings, defaults), { judged: 0.3, comment: 0, prf: 0, grf: 0.15, afs: 0 });
  const b = body([], { action: 'refine', relevant: [4] }, 'sess-2');
  assert.equal(refineInputFor(readUserTurn(b.message), b, settings).weights?.judged, undefined);
});

test('prf, grf and afs start switched off; switched on, their weight is sent, since refine-query runs them only then', () => {
  const defaults = defaultSettings(loadFeedbackConfig());
  assert.deepEqual(
    feedbackSources.filter((s) => !defaults.sources[s]),
    ['prf', 'grf', 'afs'],
  );
  assert.deepEqual(weightsFor(defaults, defaults), { prf: 0, grf: 0, afs: 0 });
  const withAfs = { ...defaults, sources: { ...defaults.sources, afs: true } };
  assert.deepEqual(weightsFor(withAfs, defaults), { prf: 0, grf: 0, afs: 0.1 });
});

test('refining without a session is refused', () => {
  const b = body([], { action: 'refine' });
  assert.throws(() => refineInputFor(readUserTurn(b.message), b), /search first/);
});

test('an over-long text part is refused, not passed through as an unknown part', () => {
  const long = { id: 'c', message: { id: 'm', role: 'user', parts: [{ type: 'text', text: 'x'.repeat(1001) }], metadata: { request: { action: 'search' } } } };
  assert.equal(chatRequestBody.safeParse(long).success, false);
});

test('the request body rejects a box with a negative width', () => {
  const bad = { id: 'c', message: { id: 'm', role: 'user', parts: [], metadata: { request: { action: 'refine', regions: [{ imageId: 1, box: { x: 0, y: 0, w: -3, h: 4 }, relevant: true }] } } } };
  assert.equal(chatRequestBody.safeParse(bad).success, false);
});
