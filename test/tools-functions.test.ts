// The tool functions called directly (as the web agent does), on a scene world indexed with the
// built-in model: sessions, uploads, comments, options, remembered regions and the typed errors.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SessionStore } from '../tools/sessions/session-store.ts';
import { openDatabase } from '../engine/store/database.ts';
import { CaptionStore } from '../engine/captioners/caption-store.ts';
import { captionerConfig, openAiSettings } from '../engine/captioners/create-captioner.ts';
import { OpenAiCompatibleCaptioner } from '../engine/captioners/openai-compatible.ts';
import type { OpenAiCompatibleConfig } from '../engine/captioners/config.ts';
import { openToolContext, type OpenedToolContext, type ToolContext } from '../tools/context.ts';
import { ToolError } from '../tools/errors.ts';
import { search } from '../tools/search.ts';
import { captionRegion } from '../tools/caption-region.ts';
import { refineQuery } from '../tools/refine-query.ts';
import { makeWorldLibrary, needsBuiltinModel, type WorldLibrary } from './helpers/mcp-world-library.ts';

let lib: WorldLibrary;
let ctx: OpenedToolContext;

before(async () => {
  lib = await makeWorldLibrary(200);
  ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
});

after(async () => {
  await ctx?.close();
  lib?.remove();
});

function toolError(code: ToolError['code'], message: RegExp) {
  return (err: unknown) => err instanceof ToolError && err.code === code && message.test(err.message);
}

test('query by example: a library id, or the same file uploaded as base64, finds that image first', async () => {
  const id = lib.idOf.get('test-000042.png')!;
  const byId = await search(ctx, { imageId: id, k: 5 });
  assert.equal(byId.results[0].id, id);
  assert.ok(byId.results[0].score > 0.999);
  const png = readFileSync(join(lib.worldDir, 'test-000042.png'));
  const byUpload = await search(ctx, { imageBase64: png.toString('base64'), k: 5 });
  assert.equal(byUpload.results[0].id, id);
  assert.ok(byUpload.results[0].score > 0.99);
  assert.notEqual(byUpload.sessionId, byId.sessionId);
});

test('search with a sessionId starts a new query in that session, with previous ranks', async () => {
  const first = await search(ctx, { text: 'a red circle', k: 10 });
  const second = await search(ctx, { text: 'a red circle on grass', k: 10, sessionId: first.sessionId });
  assert.equal(second.sessionId, first.sessionId);
  assert.equal(second.turn, 2);
  const ranks = new Map(first.results.map((r) => [r.id, r.rank]));
  for (const r of second.results) assert.equal(r.previousRank, ranks.get(r.id) ?? null);
});

test('a comment naming a result by rank judges it, and its phrases are applied', async () => {
  const found = await search(ctx, { text: 'a blue square', k: 8 });
  const refined = await refineQuery(ctx, { sessionId: found.sessionId, comment: 'more like the second one, no stripes' });
  const judged = refined.explanation.applied.find((a) => a.source === 'judged');
  assert.deepEqual(judged?.positive, [String(found.results[1].id)]);
  const comment = refined.explanation.applied.find((a) => a.source === 'comment');
  assert.deepEqual(comment?.negative, ['stripes']);
  assert.equal(refined.results.length, 8, 'k is kept from the search');
});

test('excludeSeen leaves earlier results out; fuseInitial is applied and reported', async () => {
  const found = await search(ctx, { text: 'a green star', k: 10 });
  const refined = await refineQuery(ctx, { sessionId: found.sessionId, relevant: [found.results[0].id], excludeSeen: true, fuseInitial: true });
  const seen = new Set(found.results.map((r) => r.id));
  assert.equal(refined.results.length, 10);
  for (const r of refined.results) {
    assert.ok(!seen.has(r.id), `image ${r.id} was already shown`);
    assert.equal(r.previousRank, null);
  }
  assert.equal(refined.explanation.newResults, 10);
  assert.ok(refined.explanation.applied.some((a) => a.source === 'fuse'));
  // The options stay with the session.
  const again = await refineQuery(ctx, { sessionId: found.sessionId, text: 'on sand' });
  for (const r of again.results) assert.ok(!seen.has(r.id) && !refined.results.some((x) => x.id === r.id));
});

test('caption-region: a fractional box becomes pixels; with a session it is remembered and applied once', async () => {
  const found = await search(ctx, { text: 'a purple heart', k: 6 });
  const imageId = found.results[2].id;
  const captioned = await captionRegion(ctx, { imageId, box: { x: 0.25, y: 0.25, w: 0.5, h: 0.5 }, relevant: false, sessionId: found.sessionId });
  assert.deepEqual(captioned.box, { x: 56, y: 56, w: 112, h: 112 });
  assert.equal(captioned.relevant, false);
  assert.ok(captioned.caption.length > 0);
  assert.ok(captioned.regionId);

  const once = await refineQuery(ctx, { sessionId: found.sessionId, relevant: [found.results[0].id] });
  const regions = once.explanation.applied.find((a) => a.source === 'regions');
  assert.deepEqual(regions?.negative, [captioned.caption]);
  assert.deepEqual(ctx.sessions.pendingRegions(found.sessionId), [], 'the refine that applied it consumed it');
  // It stays a mark of the session for later turns (once, not once per turn).
  const twice = await refineQuery(ctx, { sessionId: found.sessionId, relevant: [found.results[0].id] });
  assert.deepEqual(twice.explanation.applied.find((a) => a.source === 'regions')?.negative, [captioned.caption]);
  // Results carry where the relevant marks matched: none here, the only mark is irrelevant.
  for (const r of twice.results) assert.deepEqual(r.matches, []);
});

test('a relevant box lifts images that contain what it shows, and says where it matched', { skip: needsBuiltinModel }, async () => {
  // Targets: two-object scenes found by their first object; the user boxes the second one.
  const scenes = lib.world.images.filter((image) => image.objects.length >= 2).slice(0, 8);
  const moves: string[] = [];
  let improved = 0;
  for (const scene of scenes) {
    const target = lib.idOf.get(scene.filename)!;
    const [a, b] = scene.objects;
    const found = await search(ctx, { text: `a ${a.colour} ${a.shape}`, k: 100 });
    const before = found.results.find((r) => r.id === target)?.rank ?? Infinity;
    const [x, y, w, h] = b.box;
    const refined = await refineQuery(ctx, { sessionId: found.sessionId, regions: [{ imageId: target, box: { x, y, w, h }, units: 'px', relevant: true }] });
    const item = refined.results.find((r) => r.id === target);
    moves.push(`${before}→${item?.rank}`);
    assert.ok(item, `target ${scene.filename} dropped out of the results: ${moves.join(', ')}`);
    if (item.rank < before) improved++;
    // Without a region index, a candidate's one region is the whole image.
    assert.deepEqual(item.matches, [{ mark: `region of image ${target}`, box: { x: 0, y: 0, w: 224, h: 224 }, score: item.matches?.[0].score }]);
  }
  // A target already near the top may stay where it is; most must move up.
  assert.ok(improved >= scenes.length - 2, `${improved} of ${scenes.length} targets moved up: ${moves.join(', ')}`);
});

test('an edited caption given with its regionId replaces the remembered one', async () => {
  const found = await search(ctx, { text: 'an orange triangle', k: 6 });
  const imageId = found.results[0].id;
  const captioned = await captionRegion(ctx, { imageId, box: { x: 10, y: 10, w: 100, h: 100 }, units: 'px', sessionId: found.sessionId });
  const refined = await refineQuery(ctx, {
    sessionId: found.sessionId,
    regions: [{ imageId, caption: 'a checkered pattern', relevant: true, regionId: captioned.regionId }],
  });
  const regions = refined.explanation.applied.find((a) => a.source === 'regions');
  assert.deepEqual(regions?.positive, ['a checkered pattern']);
});

test('generative feedback (weights.grf) uses the stored captions of the previous results', async () => {
  const found = await search(ctx, { text: 'a brown diamond', k: 5 });
  const store = new CaptionStore(ctx.library.db);
  const byId = new Map([...lib.idOf].map(([file, id]) => [id, file]));
  const captions = new Map<number, string>();
  for (const r of found.results) {
    const scene = lib.world.images.find((image) => image.filename === byId.get(r.id))!;
    captions.set(r.id, scene.sentences[0].raw);
    store.saveCaption({ captioner: 'test', promptVersion: 'v1' }, r.id, { text: scene.sentences[0].raw, model: 'test', latencyMs: 0 });
  }
  const refined = await refineQuery(ctx, { sessionId: found.sessionId, weights: { grf: 0.3 } });
  const grf = refined.explanation.applied.find((a) => a.source === 'grf');
  assert.ok(grf, 'grf was applied');
  assert.equal(grf.weight, 0.3);
  assert.deepEqual([...grf.positive, ...grf.negative].sort(), [...new Set(captions.values())].sort());
});

test('an expired session is refused with a message saying to search again', async () => {
  let clock = Date.now();
  const db = openDatabase(':memory:');
  const expiring: ToolContext = { ...ctx, sessions: new SessionStore(db, { ttlMs: 60_000, now: () => clock }) };
  const found = await search(expiring, { text: 'a white cross' });
  clock += 61_000;
  await assert.rejects(refineQuery(expiring, { sessionId: found.sessionId, relevant: [found.results[0].id] }), toolError('session', /expired: call search again/));
  await assert.rejects(
    captionRegion(expiring, { imageId: found.results[0].id, box: { x: 0, y: 0, w: 0.5, h: 0.5 }, sessionId: found.sessionId }),
    toolError('session', /expired/),
  );
  db.close();
});

test('a captioner that cannot be reached is a tool error naming its address', async () => {
  // A port nothing listens on: taken, then released.
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  const config = captionerConfig('llava') as OpenAiCompatibleConfig;
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  const settings = { ...openAiSettings('llava', config, {}), baseUrl, retries: 0, timeoutMs: 5000 };
  const offline: ToolContext = { ...ctx, captioner: new OpenAiCompatibleCaptioner(settings) };
  const id = lib.idOf.get('test-000003.png')!;
  await assert.rejects(captionRegion(offline, { imageId: id, box: { x: 0, y: 0, w: 0.5, h: 0.5 } }), toolError('captioner', new RegExp(`unreachable at ${baseUrl}`)));
});

test('typed errors for unknown images and bad boxes', async () => {
  await assert.rejects(search(ctx, { imageId: 424242 }), toolError('unknown-image', /unknown image id 424242/));
  const id = lib.idOf.get('test-000003.png')!;
  await assert.rejects(captionRegion(ctx, { imageId: id, box: { x: 230, y: 0, w: 20, h: 20 }, units: 'px' }), toolError('bad-box', /outside the 224x224 image/));
  await assert.rejects(captionRegion(ctx, { imageId: id, box: { x: 0, y: 0, w: 2, h: 2 }, units: 'px' }), toolError('bad-box', /at least 4 px/));
  await assert.rejects(search(ctx, { text: 'x', imageId: id, imageBase64: 'AAAA' }), toolError('bad-input', /either imageId or imageBase64/));
});
