// Issue 17, item 7: a session keeps its first query as its title ("more like this" does not
// overwrite it) until the user renames it, and a region boxed in an earlier turn is listed with a
// key and stops being applied from the turn that removes it, through refine-query as MCP and the
// agents call it — a box on a generated picture (issue 20) as much as one on a result.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../engine/store/database.ts';
import { SessionStore } from '../tools/sessions/session-store.ts';
import { openToolContext, type OpenedToolContext } from '../tools/context.ts';
import { search } from '../tools/search.ts';
import { refineQuery } from '../tools/refine-query.ts';
import { visualizeQuery } from '../tools/visualize-query.ts';
import { makeWorldLibrary, needsBuiltinModel, type WorldLibrary } from './helpers/mcp-world-library.ts';

test('the title is the first query, survives a new query and a reopen; a rename is trimmed and bounded', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'visualref-title-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'sessions.db');
  let db = openDatabase(file);
  let store = new SessionStore(db);
  const s = store.create({ query: { text: 'a red circle on grass' }, originalVector: new Float32Array([1, 0]), modality: 'text' });
  assert.equal(s.title, 'a red circle on grass');
  store.restartQuery(s.id, { imageId: 263 }, new Float32Array([0, 1]), 'image');
  assert.equal(store.get(s.id).title, 'a red circle on grass', '"more like this" keeps the title');
  assert.deepEqual(store.get(s.id).query, { imageId: 263 });
  assert.equal(store.rename(s.id, '  circles for the poster  ').title, 'circles for the poster');
  assert.throws(() => store.rename(s.id, '   '), /invalid session title: \(root\): is empty/);
  assert.throws(() => store.rename(s.id, 'x'.repeat(121)), /longer than 120 characters/);
  const byImage = store.create({ query: { imageId: 7 }, originalVector: new Float32Array([1, 0]), modality: 'image' });
  db.close();
  db = openDatabase(file);
  store = new SessionStore(db);
  assert.deepEqual(
    store.list().map((x) => x.title),
    ['like image #7', 'circles for the poster'],
  );
  assert.equal(store.get(byImage.id).title, 'like image #7');
  db.close();
});

let lib: WorldLibrary;
let ctx: OpenedToolContext;

before(async () => {
  if (needsBuiltinModel) return;
  lib = await makeWorldLibrary(40);
  ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
});

after(async () => {
  await ctx?.close();
  lib?.remove();
});

const regionsApplied = (out: Awaited<ReturnType<typeof refineQuery>>) => out.explanation.applied.find((a) => a.source === 'regions');

test('a boxed region is listed at every later turn until removed, then no longer applied', { skip: needsBuiltinModel }, async () => {
  const first = await search(ctx, { text: lib.world.images[3].sentences[0].raw });
  const sessionId = first.sessionId;
  const [a, b] = first.results;
  const boxed = await refineQuery(ctx, {
    sessionId,
    regions: [
      { imageId: a.id, box: { x: 0.1, y: 0.1, w: 0.5, h: 0.5 }, caption: 'the left shape', relevant: true },
      { imageId: b.id, box: { x: 0.5, y: 0.5, w: 0.4, h: 0.4 }, caption: 'the grey ground', relevant: false },
    ],
  });
  assert.equal(boxed.activeRegions?.length, 2);
  const [left, ground] = boxed.activeRegions!;
  assert.match(left.key, /^k-[0-9a-f]{12}$/);
  assert.equal(left.caption, 'the left shape');
  assert.ok(left.box && left.box.w > 1, 'boxes are listed in pixels');

  // A later turn that boxes nothing still applies both (and lists them).
  const later = await refineQuery(ctx, { sessionId, relevant: [a.id] });
  assert.deepEqual(later.activeRegions?.map((r) => r.key), [left.key, ground.key]);
  assert.deepEqual(regionsApplied(later)?.positive, ['the left shape']);
  assert.deepEqual(regionsApplied(later)?.negative, ['the grey ground']);

  // Removing one is a turn of its own; it stays removed at the next turn.
  const removed = await refineQuery(ctx, { sessionId, removeRegions: [ground.key] });
  assert.deepEqual(removed.activeRegions?.map((r) => r.key), [left.key]);
  assert.deepEqual(regionsApplied(removed)?.negative, []);
  assert.match(removed.explanation.summary, /Stopped applying 1 box of earlier turns\./);
  const next = await refineQuery(ctx, { sessionId, irrelevant: [b.id] });
  assert.deepEqual(next.activeRegions?.map((r) => r.key), [left.key]);
  assert.deepEqual(regionsApplied(next)?.positive, ['the left shape']);
  assert.deepEqual(regionsApplied(next)?.negative, []);
  assert.deepEqual(ctx.sessions.lastTurn(sessionId)?.explanation?.activeRegions?.map((r) => r.key), [left.key], 'stored with the turn');

  await assert.rejects(refineQuery(ctx, { sessionId, removeRegions: [ground.key] }), /removeRegions: k-[0-9a-f]{12} is not among the regions this session applies/);
  await assert.rejects(refineQuery(ctx, { sessionId, removeRegions: ['box-1'] }), /removeRegions\.0: a key such as k-0123456789ab/);

  // Removing the last one: nothing is re-scored by regions any more.
  const none = await refineQuery(ctx, { sessionId, removeRegions: [left.key] });
  assert.deepEqual(none.activeRegions, []);
  assert.equal(regionsApplied(none), undefined);
  assert.ok(none.results.every((r) => r.matches === undefined), 'no "matched here" without regions');

  // "More like this" continues the session under its first title.
  await search(ctx, { imageId: a.id, sessionId });
  assert.equal(ctx.sessions.get(sessionId).title, lib.world.images[3].sentences[0].raw);
});

test('a box on a generated picture is listed with the boxes on results, by the same keys, and removed the same way', { skip: needsBuiltinModel }, async () => {
  const first = await search(ctx, { text: 'a red circle and a blue square' });
  const sessionId = first.sessionId;
  assert.equal((await visualizeQuery(ctx, { sessionId })).picture?.id, 'g1');
  const a = first.results[0];
  const boxed = await refineQuery(ctx, {
    sessionId,
    regions: [{ imageId: a.id, box: { x: 0.1, y: 0.1, w: 0.5, h: 0.5 }, caption: 'the left shape', relevant: true }],
    pictureRegions: [{ pictureId: 'g1', box: { x: 0, y: 0.25, w: 0.5, h: 0.5 }, relevant: true }],
  });
  assert.equal(boxed.activeRegions?.length, 2);
  const [onResult, onPicture] = boxed.activeRegions!;
  assert.ok('imageId' in onResult && onResult.imageId === a.id);
  // The picture is 224 px square: a quarter down, half its side.
  assert.deepEqual(onPicture, { key: onPicture.key, pictureId: 'g1', box: { x: 0, y: 56, w: 112, h: 112 }, relevant: true });
  assert.match(onPicture.key, /^k-[0-9a-f]{12}$/);
  assert.notEqual(onPicture.key, onResult.key);
  assert.deepEqual(regionsApplied(boxed)?.positive, ['the left shape', 'region of picture g1']);

  const later = await refineQuery(ctx, { sessionId, comment: 'on the grass' });
  assert.deepEqual(later.activeRegions?.map((r) => r.key), [onResult.key, onPicture.key], 'listed again at a turn that boxes nothing');

  const removed = await refineQuery(ctx, { sessionId, removeRegions: [onPicture.key] });
  assert.deepEqual(removed.activeRegions?.map((r) => r.key), [onResult.key]);
  assert.deepEqual(regionsApplied(removed)?.positive, ['the left shape']);
  assert.match(removed.explanation.summary, /Stopped applying 1 box of earlier turns\./);
  assert.deepEqual(ctx.sessions.lastTurn(sessionId)?.feedback?.removedRegions, [onPicture.key], 'the removal is stored with the turn');

  // It stays removed at the next turn, and after the session is read back from its database.
  const next = await refineQuery(ctx, { sessionId, irrelevant: [first.results[1].id] });
  assert.deepEqual(next.activeRegions?.map((r) => r.key), [onResult.key]);
  assert.deepEqual(regionsApplied(next)?.positive, ['the left shape']);
  await ctx.close();
  ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
  const reopened = await refineQuery(ctx, { sessionId, comment: 'bright' });
  assert.deepEqual(reopened.activeRegions?.map((r) => r.key), [onResult.key]);
  assert.deepEqual(regionsApplied(reopened)?.positive, ['the left shape']);

  await assert.rejects(refineQuery(ctx, { sessionId, removeRegions: [onPicture.key] }), /removeRegions: k-[0-9a-f]{12} is not among the regions this session applies/);
});
