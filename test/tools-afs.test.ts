// The afs feedback source of refine-query with the built-in model's summarizer: automatic over the
// previous top results, or over the results marked relevant, with a saliency map per feedback image;
// the user's boxes steer what it looks at; a library whose model has no AFS says so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openToolContext, type OpenedToolContext } from '../tools/context.ts';
import { search } from '../tools/search.ts';
import { refineQuery } from '../tools/refine-query.ts';
import { ToolError } from '../tools/errors.ts';
import { tinyClip } from './helpers/library-fixtures.ts';
import { makeWorldLibrary, needsBuiltinModel, type WorldLibrary } from './helpers/mcp-world-library.ts';

let lib: WorldLibrary;
let ctx: OpenedToolContext;

before(async () => {
  lib = await makeWorldLibrary(40);
  ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
});

after(async () => {
  await ctx?.close();
  lib?.remove();
});

test('afs over the previous top 5: the query moves, the explanation names it, each image has a 4x4 saliency map', { skip: needsBuiltinModel }, async () => {
  const found = await search(ctx, { text: 'a red circle and a blue square', k: 10 });
  const refined = await refineQuery(ctx, { sessionId: found.sessionId, weights: { afs: 0.1 } });
  const applied = refined.explanation.applied.find((a) => a.source === 'afs');
  assert.ok(applied, JSON.stringify(refined.explanation.applied));
  assert.deepEqual(applied.positive, found.results.slice(0, 5).map((r) => String(r.id)));
  assert.equal(refined.saliency?.length, 5);
  for (const map of refined.saliency!) {
    assert.equal(map.side, 4);
    assert.equal(map.values.length, 16);
    assert.equal(Math.max(...map.values), 255);
  }
  const total = refined.saliency!.reduce((s, m) => s + m.share, 0);
  assert.ok(Math.abs(total - 1) < 1e-3, `shares sum to ${total}`);
  assert.notDeepEqual(
    refined.results.map((r) => r.score),
    found.results.map((r) => r.score),
  );
});

test('afs over the results marked relevant, and a box on one of them draws the attention to its cells', { skip: needsBuiltinModel }, async () => {
  const found = await search(ctx, { text: 'a green triangle', k: 10 });
  const [a, b] = found.results.map((r) => r.id);
  const plain = await refineQuery(ctx, { sessionId: found.sessionId, relevant: [a, b], weights: { afs: 0.1 } });
  assert.deepEqual(
    plain.saliency!.map((m) => m.id),
    [a, b],
  );
  const record = ctx.library.getImage(a)!;
  const box = { x: 0, y: 0, w: record.width! / 2, h: record.height! / 2 };
  const boxed = await refineQuery(ctx, { sessionId: found.sessionId, relevant: [a, b], regions: [{ imageId: a, box, units: 'px', relevant: true }], weights: { afs: 0.1 } });
  const before = plain.saliency!.find((m) => m.id === a)!;
  const after = boxed.saliency!.find((m) => m.id === a)!;
  assert.ok(after.share > before.share, `share ${before.share} → ${after.share}`);
  // The top-left quarter of a 4x4 grid: cells 0, 1, 4, 5 hold the most looked-at patch now.
  const topLeft = [0, 1, 4, 5].map((c) => after.values[c]);
  assert.equal(Math.max(...topLeft), 255);
});

test('a library whose model has no AFS refuses the afs source, naming the missing file and the command', async (t) => {
  const tiny = await makeWorldLibrary(6, tinyClip);
  const tinyCtx = await openToolContext({ dataDir: tiny.dataDir, model: tiny.model });
  t.after(async () => {
    await tinyCtx.close();
    tiny.remove();
  });
  const found = await search(tinyCtx, { text: 'a red circle', k: 5 });
  await assert.rejects(
    refineQuery(tinyCtx, { sessionId: found.sessionId, weights: { afs: 0.1 } }),
    (err: unknown) => err instanceof ToolError && /afs\.json is missing/.test(err.message) && err.message.includes('npm run train:afs'),
  );
});
