// Region feedback with the library's region index: a boxed object is matched against the regions of
// each candidate, and each result says which of its regions matched. The index is made by a separate
// pass while the server runs; the tool context picks it up on reload.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Library } from '../engine/library/library.ts';
import { indexLibraryRegions } from '../engine/regions/library-regions.ts';
import { iou } from '../engine/regions/geometry.ts';
import { openToolContext, type OpenedToolContext } from '../tools/context.ts';
import { search } from '../tools/search.ts';
import { refineQuery } from '../tools/refine-query.ts';
import { makeWorldLibrary, needsBuiltinModel, type WorldLibrary } from './helpers/mcp-world-library.ts';

let lib: WorldLibrary;
let ctx: OpenedToolContext;

before(async () => {
  lib = await makeWorldLibrary(60);
  ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
});

after(async () => {
  await ctx?.close();
  lib?.remove();
});

test('regions indexed by another process are used after reload: "matched here" points at the object', { skip: needsBuiltinModel }, async () => {
  const scene = lib.world.images.find((image) => image.objects.length >= 2)!;
  const target = lib.idOf.get(scene.filename)!;
  assert.equal(ctx.regionsOf(target), undefined, 'no region index yet');

  const writer = await Library.open({ dataDir: lib.dataDir, model: lib.model });
  try {
    await indexLibraryRegions(writer);
  } finally {
    await writer.close();
  }
  ctx.reload();
  const regions = ctx.regionsOf(target);
  assert.ok(regions && regions.count > 1, 'the target has its own regions now');

  const [a, b] = scene.objects;
  const found = await search(ctx, { text: `a ${a.colour} ${a.shape}`, k: 60 });
  const [x, y, w, h] = b.box;
  const refined = await refineQuery(ctx, { sessionId: found.sessionId, regions: [{ imageId: target, box: { x, y, w, h }, units: 'px', relevant: true }] });
  const item = refined.results.find((r) => r.id === target)!;
  assert.equal(item.matches?.length, 1);
  const matched = item.matches![0];
  assert.ok(iou(matched.box, { x, y, w, h }) > 0.3, `matched ${JSON.stringify(matched.box)} for the boxed object at ${JSON.stringify({ x, y, w, h })}`);
  assert.ok(matched.score > 0.8, `its own object matches the crop (${matched.score})`);
  assert.ok(item.rank <= (found.results.find((r) => r.id === target)?.rank ?? Infinity));
});

test('the boxes of earlier turns cost no decode: the tokens of a marked or opened image are kept', { skip: needsBuiltinModel }, async () => {
  const scenes = lib.world.images.filter((image) => image.objects.length >= 1).slice(0, 3);
  const [first, second, opened] = scenes.map((scene) => lib.idOf.get(scene.filename)!);
  const boxOf = (scene: (typeof scenes)[number], relevant: boolean) => {
    const [x, y, w, h] = scene.objects[0].box;
    return { imageId: lib.idOf.get(scene.filename)!, box: { x, y, w, h }, units: 'px' as const, relevant };
  };
  const decoded: number[] = [];
  const load = ctx.library.loadPreparedImage.bind(ctx.library);
  ctx.library.loadPreparedImage = (id) => {
    decoded.push(id);
    return load(id);
  };
  try {
    ctx.markTokenCache.clear();
    const found = await search(ctx, { text: 'a red circle', k: 12 });
    const turn1 = await refineQuery(ctx, { sessionId: found.sessionId, regions: [boxOf(scenes[0], true)] });
    assert.deepEqual(decoded, [first], 'the first box decodes its image once');
    // The second turn applies the first box again and adds one: only the new image is decoded.
    const turn2 = await refineQuery(ctx, { sessionId: found.sessionId, regions: [boxOf(scenes[1], false)] });
    assert.deepEqual(decoded, [first, second]);
    assert.deepEqual(turn2.explanation.applied.find((a) => a.source === 'regions')?.positive, turn1.explanation.applied.find((a) => a.source === 'regions')?.positive);

    // An image opened to draw on (the web viewer, an MCP host reading image://) has its tokens made ahead.
    ctx.warmMarkTokens(opened);
    const deadline = Date.now() + 20_000;
    while (ctx.markTokenCache.size < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(ctx.markTokenCache.size, 3);
    await refineQuery(ctx, { sessionId: found.sessionId, regions: [boxOf(scenes[2], true)] });
    assert.deepEqual(decoded, [first, second, opened], 'the opened image was decoded ahead, once');

    // Kept tokens give the marks that fresh ones give: the same results in the same order.
    const cachedTurn = await refineQuery(ctx, { sessionId: found.sessionId, comment: 'more like the first one' });
    ctx.markTokenCache.clear();
    const again = await search(ctx, { text: 'a red circle', k: 12 });
    for (const regions of [[boxOf(scenes[0], true)], [boxOf(scenes[1], false)], [boxOf(scenes[2], true)]]) await refineQuery(ctx, { sessionId: again.sessionId, regions });
    const freshTurn = await refineQuery(ctx, { sessionId: again.sessionId, comment: 'more like the first one' });
    assert.deepEqual(
      freshTurn.results.map((r) => [r.id, r.score.toFixed(6)]),
      cachedTurn.results.map((r) => [r.id, r.score.toFixed(6)]),
    );
  } finally {
    ctx.library.loadPreparedImage = load;
  }
});
