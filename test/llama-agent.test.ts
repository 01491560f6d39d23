// The llama agent end to end on the tiny random-weight GGUF models (models/tiny-chat, written by
// npm run build:tiny-gguf): node-llama-cpp loads them in-process, grammar-constrained function calling
// makes the Functionary-template model call the real tools with valid arguments, and the calls and
// results stream to the client; a stopped turn stops generating; a missing, corrupt or oversized
// GGUF, and a model that calls no tool, end in a clear message with the session left as it was.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UIMessageChunk } from 'ai';
import { openToolContext, type OpenedToolContext } from '../tools/context.ts';
import { createWebRoutes } from '../server/web-routes.ts';
import { llamaConfigSchema, type LlamaConfig } from '../agent/chat/llama-config.ts';
import { noToolCallNote } from '../agent/chat/llama-agent.ts';
import { unloadLlamas } from '../agent/chat/llama-runtime.ts';
import type { AgentConfig } from '../agent/chat/agent-config.ts';
import type { ChatRequestBody } from '../agent/chat/protocol.ts';
import { searchInput } from '../tools/contract/schemas.ts';
import { tinyModelPath } from '../engine/llm/build-tiny-gguf.ts';
import { writeTinyChatModel } from '../engine/llm/tiny-chat-model.ts';
import { startServer, type RunningServer } from './helpers/http-server.ts';
import { makeWorldLibrary, type WorldLibrary } from './helpers/mcp-world-library.ts';
import { messageOf, parseChunks } from './helpers/ui-stream.ts';

const functionary = tinyModelPath('functionary');
const chatml = tinyModelPath('chatml');
const skip = existsSync(functionary) && existsSync(chatml) ? false : 'the tiny GGUF models are missing: run npm run build:tiny-gguf';

let lib: WorldLibrary;
let ctx: OpenedToolContext;
let scratch: string;
const servers: RunningServer[] = [];

const llama = (gguf: string, extra: Partial<LlamaConfig> = {}): AgentConfig => ({
  mode: 'llama',
  llama: llamaConfigSchema.parse({ gguf, contextSize: 4096, threads: 1, maxSteps: 3, maxTokens: 256, ...extra }),
});

async function serve(agent: AgentConfig): Promise<RunningServer> {
  const server = await startServer(ctx, { extraRoutes: (c) => createWebRoutes(c, { agent }) });
  servers.push(server);
  return server;
}

function body(text: string, request: ChatRequestBody['message']['metadata']['request'], sessionId?: string): ChatRequestBody {
  return { id: 'chat', sessionId, message: { id: `m${Math.random()}`, role: 'user', parts: [{ type: 'text', text }], metadata: { request } } };
}

async function post(server: RunningServer, payload: ChatRequestBody, signal?: AbortSignal): Promise<Response> {
  return fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload), signal });
}

async function turn(server: RunningServer, payload: ChatRequestBody) {
  const started = performance.now();
  const res = await post(server, payload);
  assert.equal(res.status, 200);
  const chunks = parseChunks(await res.text());
  return { chunks, message: await messageOf(chunks), ms: Math.round(performance.now() - started) };
}

const errorsOf = (chunks: UIMessageChunk[]) => chunks.flatMap((c) => (c.type === 'error' ? [c.errorText] : []));

before(async () => {
  if (skip) return;
  lib = await makeWorldLibrary(20);
  ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
  scratch = mkdtempSync(join(tmpdir(), 'visualref-llama-'));
});

after(async () => {
  for (const s of servers) await s.close();
  await unloadLlamas();
  await ctx?.close();
  lib?.remove();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('the model calls search with valid arguments; the real results stream as a tool-search part', { skip, timeout: 120_000 }, async () => {
  const server = await serve(llama(functionary));
  const status = (await (await fetch(`${server.url}/api/status`)).json()) as { agent: { mode: string; model: string } };
  assert.deepEqual(status.agent, { mode: 'llama', model: 'functionary-tiny-random.gguf' });

  const first = await turn(server, body('red circles please', { action: 'search' }));
  const second = await turn(server, body('blue squares', { action: 'search' }));
  console.log(`tiny model: first turn (load included) ${first.ms} ms, second turn ${second.ms} ms`);
  const { message, chunks } = first;
  assert.deepEqual(errorsOf(chunks), []);
  assert.ok(message);
  assert.equal(message.metadata?.mode, 'llama');
  const tools = message.parts.filter((p) => p.type.startsWith('tool-'));
  console.log(`tool calls: ${tools.map((p) => `${p.type} ${JSON.stringify('input' in p ? p.input : null)} → ${'state' in p ? p.state : ''}`).join('; ')}`);
  assert.ok(tools.length >= 1 && tools.length <= 3, `1 to maxSteps tool calls, got ${tools.length}`);
  // Before there is a session the model is offered search only.
  const part = tools[0];
  assert.ok(part.type === 'tool-search' && part.state === 'output-available', `first part: ${part.type} ${'state' in part ? part.state : ''}`);
  assert.ok(searchInput.safeParse(part.input).success, `valid search arguments: ${JSON.stringify(part.input)}`);
  assert.equal(part.output.results.length, 12);
  assert.deepEqual(
    part.output.results.map((r) => r.id),
    ctx.sessions.turns(part.output.sessionId)[0].results.map((r) => r.id),
  );
  for (const p of tools) assert.ok('state' in p && (p.state === 'output-available' || p.state === 'output-error'), 'every call is answered');
  const sessionId = message.metadata?.sessionId;
  assert.ok(sessionId && ctx.sessions.get(sessionId), 'the answer names the session the tools made');
});

test('stopping a turn stops the generation: no tool runs, and the next turn is answered', { skip, timeout: 120_000 }, async () => {
  const server = await serve(llama(functionary));
  await turn(server, body('warm up', { action: 'search' }));
  const sessionsBefore = ctx.sessions.list().length;
  const controller = new AbortController();
  const res = await post(server, body('green stars', { action: 'search' }), controller.signal);
  const reader = res.body!.getReader();
  let seen = '';
  // Stop as soon as the answer has started, while the model is still writing its tool call.
  while (!seen.includes('"type":"start"')) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += new TextDecoder().decode(value);
  }
  controller.abort();
  await reader.read().catch(() => undefined);
  const next = await turn(server, body('yellow triangles', { action: 'search' }));
  assert.ok(next.message?.parts.some((p) => p.type === 'tool-search' && p.state === 'output-available'), `the turn after a stopped one works: ${JSON.stringify(errorsOf(next.chunks))}`);
  assert.equal(ctx.sessions.list().length, sessionsBefore + 1, 'the stopped turn ran no search: only the next turn made a session');
});

test('a missing, a corrupt and an oversized GGUF: a clear message in the chat, the session intact', { skip, timeout: 120_000 }, async () => {
  const deterministic = await serve({ mode: 'deterministic' });
  const started = await turn(deterministic, body('red circles', { action: 'search' }));
  const sessionId = started.message?.metadata?.sessionId;
  assert.ok(sessionId);
  const turnsBefore = ctx.sessions.turns(sessionId).length;

  const corrupt = join(scratch, 'corrupt.gguf');
  writeFileSync(corrupt, Buffer.from('GGUF this is not a model at all'));
  const huge = join(scratch, 'huge.gguf');
  writeTinyChatModel(huge, { template: 'functionary', headerOnlyScale: 1_000_000 });
  const cases: [string, RegExp][] = [
    [join(scratch, 'absent.gguf'), /GGUF model not found: .*absent\.gguf/],
    [corrupt, /corrupt\.gguf is not a readable GGUF model/],
    [huge, /huge\.gguf is too large for this machine's memory: it needs about [\d.]+ GiB/],
  ];
  for (const [gguf, expected] of cases) {
    const server = await serve(llama(gguf));
    const { chunks } = await turn(server, body('more like these', { action: 'refine', relevant: [1], irrelevant: [], regions: [] }, sessionId));
    const errors = errorsOf(chunks);
    assert.equal(errors.length, 1, `one error for ${gguf}`);
    assert.match(errors[0], expected);
  }
  assert.equal(ctx.sessions.turns(sessionId).length, turnsBefore, 'the session is unchanged');
  // The same session goes on with a working agent.
  const again = await turn(deterministic, body('more like these', { action: 'refine', relevant: [1], irrelevant: [], regions: [] }, sessionId));
  assert.ok(again.message?.parts.some((p) => p.type === 'tool-refine-query' && p.state === 'output-available'));
});

test('a model that calls no tool: the chat says so, and the session is unchanged', { skip, timeout: 120_000 }, async () => {
  const deterministic = await serve({ mode: 'deterministic' });
  const started = await turn(deterministic, body('blue squares', { action: 'search' }));
  const sessionId = started.message?.metadata?.sessionId;
  assert.ok(sessionId);
  const turnsBefore = ctx.sessions.turns(sessionId).length;

  const server = await serve(llama(chatml, { maxTokens: 48 }));
  const { message, chunks } = await turn(server, body('only the striped ones', { action: 'refine', relevant: [2], irrelevant: [], regions: [] }, sessionId));
  assert.deepEqual(errorsOf(chunks), []);
  assert.ok(message);
  assert.deepEqual(message.parts.filter((p) => p.type.startsWith('tool-')), []);
  const text = message.parts.filter((p) => p.type === 'text').map((p) => p.text).join('\n');
  assert.ok(text.endsWith(noToolCallNote), `the note ends the reply: ${JSON.stringify(text.slice(-200))}`);
  assert.equal(ctx.sessions.turns(sessionId).length, turnsBefore);
});
