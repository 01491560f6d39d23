// visualize-query and refine-query's `visualize` flag on a small indexed world: the picture is drawn
// from what the session says, stored under the session and served by the web API; refine-query
// searches with it, and a generator that does not answer costs the turn its picture, not its results.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { openToolContext, type OpenedToolContext } from '../tools/context.ts';
import { ToolError } from '../tools/errors.ts';
import { search } from '../tools/search.ts';
import { refineQuery } from '../tools/refine-query.ts';
import { useGenerator, visualizeQuery } from '../tools/visualize-query.ts';
import { readPicture } from '../tools/generated-pictures.ts';
import { createWebRoutes } from '../server/web-routes.ts';
import { threadFromSession } from '../agent/chat/thread-from-session.ts';
import { OpenAiCompatibleGenerator } from '../engine/generation/openai-compatible.ts';
import { WorldPainter } from '../engine/generation/world-painter.ts';
import { makeWorldLibrary, type WorldLibrary } from './helpers/mcp-world-library.ts';
import { startServer, type RunningServer } from './helpers/http-server.ts';

let lib: WorldLibrary;
let ctx: OpenedToolContext;
let web: RunningServer;

before(async () => {
  lib = await makeWorldLibrary(40);
  ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
  web = await startServer(ctx, { extraRoutes: (c) => createWebRoutes(c, { agent: { mode: 'deterministic' } }) });
});

after(async () => {
  await web?.close();
  await ctx?.close();
  lib?.remove();
});

test('draws the session\'s query, then its corrections, as numbered pictures of the session', async () => {
  const { sessionId } = await search(ctx, { text: 'a red circle on the grass' });
  const first = await visualizeQuery(ctx, { sessionId });
  assert.equal(first.prompt, 'a red circle on the grass');
  assert.equal(first.picture?.id, 'g1');
  assert.equal(first.picture?.generator, 'world-painter');
  assert.deepEqual([first.picture?.width, first.picture?.height], [224, 224]);
  assert.ok(first.picture?.notes.includes('size not given: drawn medium'));

  await refineQuery(ctx, { sessionId, comment: 'the circle should be striped' });
  const second = await visualizeQuery(ctx, { sessionId, text: 'a blue square' });
  assert.equal(second.prompt, 'a red circle on the grass, the circle should be striped, a blue square');
  assert.equal(second.picture?.id, 'g2');
  const png = readPicture(ctx.library.dir, sessionId, 'g2')!;
  const meta = await sharp(png).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 224, 224]);

  const served = await fetch(`${web.url}/api/sessions/${sessionId}/pictures/g2`);
  assert.equal(served.status, 200);
  assert.equal(served.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await served.arrayBuffer()), png);
  assert.equal((await fetch(`${web.url}/api/sessions/${sessionId}/pictures/g9`)).status, 404);
  assert.equal((await fetch(`${web.url}/api/sessions/${sessionId}/pictures/..%2Fsessions.db`)).status, 404);
});

test('a session with nothing drawable gets no picture and the reason', async () => {
  const { sessionId } = await search(ctx, { text: 'a cat in a forest' });
  const response = await fetch(`${web.url}/api/visualize-query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sessionId }) });
  assert.equal(response.status, 200);
  const out = (await response.json()) as { picture?: unknown; reason?: string };
  assert.equal(out.picture, undefined);
  assert.match(out.reason ?? '', /nothing in the description names a shape.*\(not understood: cat, forest\)/);
  await assert.rejects(visualizeQuery(ctx, { sessionId: 'no-such-session' }), (err: unknown) => err instanceof ToolError && err.code === 'session');
});

test('refine-query with visualize searches with the picture too, and says so', async () => {
  const { sessionId } = await search(ctx, { text: 'a yellow star' });
  const out = await refineQuery(ctx, { sessionId, comment: 'on the sand', visualize: true });
  assert.equal(out.visualization?.picture?.id, 'g1');
  assert.equal(out.visualization?.prompt, 'a yellow star, on the sand');
  const generated = out.explanation.applied.find((a) => a.source === 'generated');
  assert.deepEqual(generated, { source: 'generated', weight: ctx.config.feedback.generated.weight, positive: ['picture g1'], negative: [] });
  assert.ok(out.results.length > 0);
  assert.match(out.explanation.summary, /generated picture/);
  // The session keeps it with the turn: a thread rebuilt from the session shows the same picture.
  const thread = threadFromSession(ctx.library, ctx.sessions.get(sessionId), ctx.sessions.turns(sessionId));
  const part = thread.at(-1)!.parts.find((p) => p.type === 'tool-refine-query') as { output: { visualization?: unknown } } | undefined;
  assert.deepEqual(part?.output.visualization, out.visualization);
});

test('a generator that does not answer costs the turn its picture, within the turn timeout', async (t) => {
  const hanging: Server = createServer(() => {});
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  t.after(async () => {
    hanging.closeAllConnections();
    await new Promise<void>((resolve) => hanging.close(() => resolve()));
    useGenerator(ctx, new WorldPainter('world-painter'), 60_000);
  });
  const { port } = hanging.address() as AddressInfo;
  const generator = new OpenAiCompatibleGenerator({
    name: 'slow-sd',
    baseUrl: `http://127.0.0.1:${port}/v1`,
    model: 'sd',
    size: '64x64',
    timeoutMs: 10_000,
    retries: 0,
    backoffMs: 0,
    maxBytes: 1 << 20,
    maxPixels: 1 << 20,
  });
  useGenerator(ctx, generator, 400);
  const { sessionId } = await search(ctx, { text: 'a green heart' });
  const started = performance.now();
  const out = await refineQuery(ctx, { sessionId, comment: 'in the snow', visualize: true });
  assert.ok(performance.now() - started < 5000, 'the turn did not wait for the generator');
  assert.equal(out.visualization?.picture, undefined);
  assert.match(out.visualization?.reason ?? '', /^no picture this turn \(the picture took longer than 0.4 s\); refined without it$/);
  assert.ok(out.results.length > 0);
  assert.ok(!out.explanation.applied.some((a) => a.source === 'generated'));
});

test('a box drawn on the picture is a region mark, like a box on a result, for this turn and the later ones', async () => {
  const { sessionId } = await search(ctx, { text: 'a red circle and a blue square' });
  const { picture } = await visualizeQuery(ctx, { sessionId });
  assert.equal(picture?.id, 'g1');
  // The painter puts two objects left and right: the left half holds the red circle.
  const out = await refineQuery(ctx, { sessionId, pictureRegions: [{ pictureId: 'g1', box: { x: 0, y: 0.25, w: 0.5, h: 0.5 }, relevant: true }] });
  const regions = out.explanation.applied.find((a) => a.source === 'regions');
  assert.deepEqual(regions?.positive, ['region of picture g1']);
  assert.ok(out.results.length > 0);
  // Like a box on a result, it stays in force for the session's later turns.
  const next = await refineQuery(ctx, { sessionId, comment: 'on the grass' });
  assert.deepEqual(next.explanation.applied.find((a) => a.source === 'regions')?.positive, ['region of picture g1']);
  await assert.rejects(
    refineQuery(ctx, { sessionId, pictureRegions: [{ pictureId: 'g7', box: { x: 0, y: 0, w: 10, h: 10 }, relevant: false }] }),
    (err: unknown) => err instanceof ToolError && err.code === 'bad-input' && /has no picture g7/.test(err.message),
  );
  await assert.rejects(
    refineQuery(ctx, { sessionId, pictureRegions: [{ pictureId: 'g1', box: { x: 500, y: 0, w: 10, h: 10 }, relevant: false }] }),
    (err: unknown) => err instanceof ToolError && err.code === 'bad-box',
  );
});
