// The web app's /api routes on a real scene world library: images by id, validation, the chat
// stream as the browser's AI SDK reads it, and sessions rebuilt after the fact.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { readUIMessageStream, type UIMessageChunk } from 'ai';
import { openToolContext, type OpenedToolContext } from '../tools/context.ts';
import { createWebRoutes } from '../server/web-routes.ts';
import type { ThreadMessage as ChatMessageForTest } from '../agent/chat/thread-from-session.ts';
import { startServer, type RunningServer } from './helpers/http-server.ts';
import { makeWorldLibrary, type WorldLibrary } from './helpers/mcp-world-library.ts';

let lib: WorldLibrary;
let ctx: OpenedToolContext;
let server: RunningServer;

before(async () => {
  lib = await makeWorldLibrary(40);
  ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
  server = await startServer(ctx, { extraRoutes: (c) => createWebRoutes(c, { agent: { mode: 'deterministic' } }) });
});

after(async () => {
  await server?.close();
  await ctx?.close();
  lib?.remove();
});

const api = (path: string, init?: RequestInit) => fetch(`${server.url}/api${path}`, init);
const postJson = (path: string, body: unknown) => api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The SSE body as UI message chunks, and the assistant message the browser would build from them. */
async function readChat(res: Response): Promise<{ chunks: UIMessageChunk[]; message: ChatMessageForTest }> {
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('x-vercel-ai-ui-message-stream'), 'v1');
  const chunks = (await res.text())
    .split('\n\n')
    .map((event) => event.replace(/^data: /, '').trim())
    .filter((data) => data && data !== '[DONE]')
    .map((data) => JSON.parse(data) as UIMessageChunk);
  let message: ChatMessageForTest | undefined;
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  for await (const m of readUIMessageStream<ChatMessageForTest>({ stream })) message = m;
  assert.ok(message, 'the stream built a message');
  return { chunks, message };
}

function chatBody(text: string, request: unknown, sessionId?: string, k = 5) {
  const settings = {
    k,
    sources: { judged: true, regions: true, comment: true, explicit: true, prf: true, grf: true, afs: true },
    weights: { alpha: 0.8, judged: 0.2, regions: 0.2, comment: 0.2, explicit: 0.2, prf: 0.1, grf: 0.1, afs: 0.1 },
    temperature: 0.05,
    depth: 5,
    excludeSeen: false,
    fuseQuery: false,
  };
  return { id: 'chat-1', sessionId, message: { id: `m-${Math.random()}`, role: 'user', parts: text ? [{ type: 'text', text }] : [], metadata: { request, settings } } };
}

test('/api/config serves the defaults of configs/feedback.yaml', async () => {
  const config = (await (await api('/config')).json()) as { settings: { weights: Record<string, number>; temperature: number; depth: number; k: number }; agent: { mode: string } };
  assert.equal(config.settings.weights.alpha, ctx.config.feedback.compose.alpha);
  assert.equal(config.settings.weights.judged, ctx.config.feedback.compose.sources.judged.positive);
  assert.equal(config.settings.temperature, ctx.config.feedback.rocchio.tau);
  assert.equal(config.settings.depth, ctx.config.feedback.rocchio.k);
  assert.equal(config.settings.k, 12);
  assert.equal(config.agent.mode, 'deterministic');
});

test('/api/status names the library size and model', async () => {
  const status = (await (await api('/status')).json()) as { images: number; model: string };
  assert.equal(status.images, 40);
  assert.equal(status.model, ctx.library.model);
});

test('an image is served byte for byte by id, and as a JPEG thumbnail of the asked size', async () => {
  const file = lib.world.images[3].filename;
  const id = lib.idOf.get(file)!;
  const res = await api(`/images/${id}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), readFileSync(join(lib.worldDir, file)));

  const thumb = await api(`/images/${id}/thumb?size=64`);
  assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
  const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 64, 64]);
});

test('bad ids and sizes are refused with a message, never a path', async () => {
  for (const [path, status] of [
    ['/images/abc', 400],
    ['/images/-1', 400],
    ['/images/99999', 404],
    ['/images/..%2F..%2Fetc%2Fpasswd', 400],
    ['/images/1/thumb?size=5', 400],
    ['/sessions/not*an*id', 400],
    ['/sessions/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 404],
  ] as const) {
    const res = await api(path);
    assert.equal(res.status, status, path);
    assert.equal(typeof ((await res.json()) as { error: unknown }).error, 'string', path);
  }
  const bad = await postJson('/chat', { id: 'c', message: { id: 'm', role: 'user', parts: [] } });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /metadata/);
  // Every body goes through the same validator: its problems are named, never a 500.
  const errorOf = async (res: Response) => [res.status, ((await res.json()) as { error: string }).error] as const;
  assert.deepEqual(await errorOf(await api('/search', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text": ' })), [400, 'body: Malformed JSON in request body']);
  assert.deepEqual(await errorOf(await api('/search', { method: 'POST', body: JSON.stringify({ text: 'a red circle' }) })), [400, 'body: send JSON (content-type: application/json)']);
  const [status, message] = await errorOf(await postJson('/search', { text: 'a red circle', k: 0 }));
  assert.equal(status, 400);
  assert.match(message, /^k: /);
});

test('caption-region captions a boxed object; a box of zero width is refused', async () => {
  const image = lib.world.images[5];
  const [x, y, w, h] = image.objects[0].box;
  const id = lib.idOf.get(image.filename)!;
  const res = await postJson('/caption-region', { imageId: id, box: { x, y, w, h }, units: 'px', relevant: true });
  assert.equal(res.status, 200);
  const out = (await res.json()) as { caption: string; box: { x: number; w: number } };
  assert.ok(out.caption.length > 0);
  assert.deepEqual([out.box.x, out.box.w], [x, w]);
  const zero = await postJson('/caption-region', { imageId: id, box: { x, y, w: 0, h }, units: 'px' });
  assert.equal(zero.status, 400);
});

test('a chat turn streams the search tool call and its results as a typed part, then a refinement moves results', async () => {
  const query = lib.world.images[7].sentences[0].raw;
  const first = await readChat(await postJson('/chat', chatBody(query, { action: 'search' })));
  const types = first.chunks.map((c) => c.type);
  assert.ok(types.indexOf('tool-input-available') < types.indexOf('tool-output-available'), 'input before output');
  const searchPart = first.message.parts.find((p) => p.type === 'tool-search');
  assert.ok(searchPart && searchPart.type === 'tool-search' && searchPart.state === 'output-available');
  assert.equal(searchPart.output.results.length, 5, 'k from the settings');
  assert.deepEqual(searchPart.input, { k: 5, text: query });
  const sessionId = searchPart.output.sessionId;
  assert.equal(first.message.metadata?.sessionId, sessionId);
  assert.equal(first.message.metadata?.mode, 'deterministic');
  assert.match(first.message.parts.find((p) => p.type === 'text')?.text ?? '', /^Found 5 images/);

  const ids = searchPart.output.results.map((r) => r.id);
  const target = ids[3];
  const refine = await readChat(
    await postJson('/chat', chatBody('', { action: 'refine', relevant: [target], irrelevant: [ids[0]] }, sessionId)),
  );
  const refinePart = refine.message.parts.find((p) => p.type === 'tool-refine-query');
  assert.ok(refinePart && refinePart.type === 'tool-refine-query' && refinePart.state === 'output-available');
  const moved = refinePart.output.results;
  assert.equal(refinePart.output.turn, 2);
  assert.ok(moved.findIndex((r) => r.id === target) < 3, 'the image marked relevant moved up');
  assert.ok(moved.every((r) => r.previousRank === null || typeof r.previousRank === 'number'), 'every result says where it was');
  assert.ok(refinePart.output.explanation.applied.some((a) => a.source === 'judged'));

  // The session is listed, rebuilt as the same thread, and exported.
  const listed = (await (await api('/sessions')).json()) as { sessions: { id: string; turns: number; title: string }[] };
  const entry = listed.sessions.find((s) => s.id === sessionId);
  assert.deepEqual([entry?.turns, entry?.title], [2, query]);
  // Renamed: trimmed, bounded, validated, and listed under the new name.
  const rename = (id: string, body: unknown) => api(`/sessions/${id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.deepEqual(await (await rename(sessionId, { title: '  the red ones ' })).json(), { id: sessionId, title: 'the red ones' });
  const refused = await rename(sessionId, { title: 'x'.repeat(121) });
  assert.deepEqual([refused.status, await refused.json()], [400, { error: 'title: is longer than 120 characters' }]);
  assert.equal((await rename(sessionId, { title: 'a', extra: 1 })).status, 400);
  assert.equal((await rename('A'.repeat(32), { title: 'a' })).status, 404);
  const relisted = (await (await api('/sessions')).json()) as { sessions: { id: string; title: string }[] };
  assert.equal(relisted.sessions.find((s) => s.id === sessionId)?.title, 'the red ones');
  const rebuilt = (await (await api(`/sessions/${sessionId}`)).json()) as { messages: ChatMessageForTest[] };
  assert.deepEqual(rebuilt.messages.map((m) => m.role), ['user', 'assistant', 'user', 'assistant']);
  const rebuiltRefine = rebuilt.messages[3].parts.find((p) => p.type === 'tool-refine-query');
  assert.ok(rebuiltRefine && rebuiltRefine.type === 'tool-refine-query' && rebuiltRefine.state === 'output-available');
  assert.deepEqual(rebuiltRefine.output.results, moved);
  assert.deepEqual(rebuilt.messages[2].metadata?.request, { action: 'refine', relevant: [target], irrelevant: [ids[0]], regions: [] });

  const exported = await api(`/sessions/${sessionId}/export`);
  assert.match(exported.headers.get('content-disposition') ?? '', /attachment; filename="visualref-session-/);
  const doc = (await exported.json()) as { query: { text: string }; turns: { turn: number; results: unknown[]; feedback: unknown }[] };
  assert.equal(doc.query.text, query);
  assert.deepEqual(doc.turns.map((t) => t.turn), [1, 2]);
  assert.equal(doc.turns[0].feedback, null);
});

test('a refinement without a session is answered with an error in the stream, not a crash', async () => {
  const { chunks } = await readChat(await postJson('/chat', chatBody('', { action: 'refine' })));
  const error = chunks.find((c) => c.type === 'error');
  assert.ok(error && error.type === 'error');
  assert.match(error.errorText, /search first/);
});

test('an unknown image in "more like this" comes back as a tool error part', async () => {
  const { message } = await readChat(await postJson('/chat', chatBody('', { action: 'search', imageId: 4040 })));
  const part = message.parts.find((p) => p.type === 'tool-search');
  assert.ok(part && part.type === 'tool-search' && part.state === 'output-error');
  assert.match(part.errorText, /unknown image id 4040/);
});
