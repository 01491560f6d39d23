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
