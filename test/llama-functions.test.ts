// The llama agent's tool binding: what the model is offered depends on the turn (no refine before a
// session), image ids are limited to those the turn has seen, the agent's own fields are not the
// model's to write, and a call is checked against the tool's zod input before it runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GbnfJsonObjectSchema } from 'node-llama-cpp';
import { agentTools } from '../agent/chat/agent-tools.ts';
import { modelFunctions, parseCall, type FunctionBinding } from '../agent/chat/llama-functions.ts';
import type { ChatTools } from '../agent/chat/protocol.ts';

const unused = async (): Promise<never> => {
  throw new Error('not called here');
};
const tools = agentTools({ search: unused, 'refine-query': unused, 'caption-region': unused, 'visualize-query': unused } satisfies ChatTools);
const agentFields = { search: ['sessionId', 'imageBase64', 'k'], 'refine-query': ['sessionId', 'k', 'weights'], 'caption-region': ['sessionId'], 'visualize-query': ['sessionId'] };

test('before a session only search is offered, without an image id to invent and without the agent fields', () => {
  const binding: FunctionBinding = { agentFields, knownIds: [], unavailable: new Set(['refine-query', 'caption-region', 'visualize-query']) };
  const functions = modelFunctions(tools, binding);
  assert.deepEqual(Object.keys(functions), ['search']);
  const params = functions.search.params as GbnfJsonObjectSchema;
  assert.deepEqual(Object.keys(params.properties ?? {}), ['text']);
  assert.deepEqual(params.properties?.text, { type: 'string', minLength: 1, maxLength: 200, description: 'What to look for, in words, e.g. "a red striped circle on grass".' });
});

test('with a session, image ids are the ones the turn has seen', () => {
  const binding: FunctionBinding = { agentFields, knownIds: [4, 9], unavailable: new Set() };
  const functions = modelFunctions(tools, binding);
  assert.deepEqual(Object.keys(functions).sort(), ['caption-region', 'refine-query', 'search', 'visualize-query']);
  const refine = functions['refine-query'].params as GbnfJsonObjectSchema;
  assert.deepEqual(refine.properties?.relevant, { type: 'array', items: { enum: [4, 9], description: 'An image id, as returned in search results.' }, maxItems: 20, description: 'Ids of results that are what the user wants.' });
  assert.equal(refine.properties?.weights, undefined, 'weights come from the settings panel, not the model');
  const caption = functions['caption-region'].params as GbnfJsonObjectSchema;
  assert.deepEqual(caption.properties?.imageId, { enum: [4, 9], description: 'An image id, as returned in search results.' });
  assert.ok(caption.required?.includes('imageId') && caption.required.includes('box'));
});

test('a call is checked against the zod input: wrong shapes and the agent fields are refused with a clear message', () => {
  const binding: FunctionBinding = { agentFields, knownIds: [4], unavailable: new Set(['caption-region']) };
  const ok = parseCall(tools, binding, 'refine-query', { relevant: [4], comment: 'more like this' });
  assert.ok(ok.ok);
  assert.deepEqual(ok.args, { relevant: [4], comment: 'more like this' });
  const wrong = parseCall(tools, binding, 'refine-query', { relevant: ['four'] });
  assert.deepEqual(wrong, { ok: false, message: 'refine-query: relevant.0: Invalid input: expected number, received string' });
  const own = parseCall(tools, binding, 'search', { text: 'dogs', sessionId: 'someone-elses' });
  assert.equal(own.ok, false);
  assert.deepEqual(parseCall(tools, binding, 'caption-region', {}), { ok: false, message: 'the model called "caption-region", which is not offered now' });
});
