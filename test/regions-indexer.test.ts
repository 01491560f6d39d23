import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEncoders, type LoadedEncoders } from '../engine/encoders/load-encoders.ts';
import { prepareForModel } from '../engine/images/prepare.ts';
import { loadRegionsConfig, type RegionsConfig } from '../engine/regions/config.ts';
import { RegionIndexer, regionEncoderOf } from '../engine/regions/region-indexer.ts';
import { cellBoxes, tokenGrid } from '../engine/regions/token-cells.ts';
import { windowBoxes } from '../engine/regions/windows.ts';
import { syntheticScene } from './helpers/synthetic-scene.ts';

const model = join(import.meta.dirname, 'models', 'tiny-clip');
const base = loadRegionsConfig();
const dir = mkdtempSync(join(tmpdir(), 'vr-region-indexer-'));
let encoders: LoadedEncoders;
test.before(async () => {
  encoders = await loadEncoders(model);
});
test.after(async () => {
  await encoders.image.dispose();
  await encoders.text.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const scene = syntheticScene(320, 240, 4);

test('windows: every window of the image is stored with the embedding of its crop of the original', async () => {
  const config: RegionsConfig = { ...base, source: 'windows', embed: 'crops', windows: [{ grid: 3, size: 0.5 }] };
  const indexer = await RegionIndexer.open(join(dir, 'w'), regionEncoderOf(encoders.image), config, join(dir, 'windows.bin'));
  const stats = await indexer.add([{ id: 7, image: scene.image }]);
  assert.equal(stats.regions, 9);
  const stored = indexer.store.get(7)!;
  assert.deepEqual(stored.map((r) => r.box), windowBoxes(320, 240, [{ grid: 3, size: 0.5 }]));
  const direct = await encoders.image.encodePixels([await prepareForModel(scene.image, encoders.image.preprocess, stored[4].box)]);
  const e = stored[4].embedding;
  let err = 0;
  for (let i = 0; i < e.length; i++) err = Math.max(err, Math.abs(e[i] - direct[0].embedding[i]));
  assert.ok(err < 2e-3, `stored crop embedding = direct encoding (max error ${err})`);
  assert.deepEqual(indexer.missing([7, 8]), [8]);
  indexer.close();
});

test('proposer: label-free boxes plus the configured windows; other settings rebuild the store', async () => {
  const file = join(dir, 'proposer.bin');
  const indexer = await RegionIndexer.open(dir, regionEncoderOf(encoders.image), { ...base, source: 'proposer' }, file);
  await indexer.add([{ id: 1, image: scene.image }, { id: 2, image: syntheticScene(224, 224, 5).image }]);
  const regions = indexer.store.get(1)!;
  const sources = regions.map((r) => r.source);
  assert.equal(sources.filter((s) => s === 'window').length, 9);
  const segments = sources.filter((s) => s === 'proposer').length;
  assert.ok(segments >= 3 && segments <= base.proposer.maxBoxes, `${segments} proposals`);
  indexer.close();
  const again = await RegionIndexer.open(dir, regionEncoderOf(encoders.image), { ...base, source: 'proposer' }, file);
  assert.equal(again.store.size, 2, 'same settings: regions kept');
  again.close();
  const changed = await RegionIndexer.open(dir, regionEncoderOf(encoders.image), { ...base, source: 'proposer', proposer: { ...base.proposer, maxBoxes: 4 } }, file);
  assert.equal(changed.store.size, 0, 'other settings: rebuilt from scratch');
  changed.close();
});

test('tokens: the model’s 7 × 7 patch cells map back to the original image through resize and centre crop', async () => {
  assert.deepEqual(tokenGrid(50), { side: 7, skipFirst: true });
  assert.deepEqual(tokenGrid(16), { side: 4, skipFirst: false });
  // 320 × 240 → shortest edge 224: 298 × 224, centre crop 224 starts at x = 37; a cell is 32 px = 34.4 original px.
  const cells = cellBoxes(320, 240, encoders.image.preprocess, 7);
  assert.deepEqual(cells[0], { x: 39, y: 0, w: 36, h: 35 });
  assert.deepEqual(cells[48], { x: 245, y: 205, w: 36, h: 35 });
  const indexer = await RegionIndexer.open(dir, regionEncoderOf(encoders.image), { ...base, source: 'tokens' }, join(dir, 'tokens.bin'));
  await indexer.add([{ id: 3, image: scene.image }]);
  assert.deepEqual(indexer.store.get(3)!.map((r) => r.box), cells);
  indexer.close();
});

test('marks: a crop mark is the embedding of the box cut from the original, a caption mark the text embedding; both gives two', async () => {
  const { buildMarks, markEncoderOf } = await import('../engine/regions/marks.ts');
  const encoder = markEncoderOf(encoders.image, encoders.text);
  const disc = scene.objects[0].box;
  const inputs = [{ label: 'r1', relevant: true, image: scene.image, box: disc, caption: 'a red circle' }];
  const [crop] = await buildMarks(inputs, 'crop', encoder, 'crops');
  const [expected] = await encoders.image.encodePixels([await prepareForModel(scene.image, encoders.image.preprocess, disc)]);
  assert.deepEqual(Array.from(crop.vector), Array.from(expected.embedding));
  const [caption] = await buildMarks(inputs, 'caption', encoder, 'crops');
  assert.deepEqual(Array.from(caption.vector), Array.from((await encoders.text.encodeTexts(['a red circle']))[0]));
  const both = await buildMarks(inputs, 'both', encoder, 'crops');
  assert.deepEqual(both.map((m) => m.label), ['r1', 'r1']);
  await assert.rejects(buildMarks([{ label: 'x', relevant: false, caption: 'no box' }], 'crop', encoder, 'crops'), /image and the box/);
});

test('library regions: made for every indexed image, redone for a changed file, dropped for a deleted one', async (t) => {
  const { Library } = await import('../engine/library/library.ts');
  const { indexFolder } = await import('../engine/library/indexer.ts');
  const { indexLibraryRegions } = await import('../engine/regions/library-regions.ts');
  const { indexConfig, tempDir, tinyClip, writeImages } = await import('./helpers/library-fixtures.ts');
  const { unlinkSync } = await import('node:fs');
  const root = tempDir(t);
  const images = join(root, 'images');
  await writeImages(images, 5);
  const library = await Library.open({ dataDir: join(root, 'data'), model: tinyClip, indexConfig: indexConfig() });
  try {
    await indexFolder(library, { folder: images });
    const config: RegionsConfig = { ...base, source: 'windows', windows: [{ grid: 2, size: 0.5 }] };
    const first = await indexLibraryRegions(library, { config });
    assert.deepEqual([first.added, first.removed, first.regions], [5, 0, 20]);
    assert.equal((await indexLibraryRegions(library, { config })).added, 0, 'nothing to redo');
    await writeImages(images, 1, { seed: 99 }); // img000 gets new content
    unlinkSync(join(images, 'img004.jpg'));
    await indexFolder(library, { folder: images });
    const second = await indexLibraryRegions(library, { config });
    assert.deepEqual([second.added, second.removed], [1, 1]);
    const opened = await RegionIndexer.open(library.dir, await library.runtime(), config);
    assert.deepEqual(opened.store.ids().sort((a, b) => a - b), library.listImages().map((r) => r.id));
    opened.close();

    // A search turn: a crop mark drawn on image 3's top-left quarter finds that region again.
    const { openLibraryRegions, librarySearchSources } = await import('../engine/regions/library-regions.ts');
    const { searchWithRegions } = await import('../engine/regions/region-search.ts');
    const { matchesForResult } = await import('../engine/regions/rerank.ts');
    const { buildMarks } = await import('../engine/regions/marks.ts');
    const regions = openLibraryRegions(library)!;
    const image3 = await library.loadImage(3);
    const quarter = { x: 0, y: 0, w: image3.width / 2, h: image3.height / 2 };
    const marks = await buildMarks([{ label: 'q', relevant: true, image: image3, box: quarter }], 'crop', await library.runtime(), config.embed);
    const query = await library.encodeText('a striped picture');
    const results = searchWithRegions(librarySearchSources(library, regions), query, marks, { k: 4, pool: 10, lambda: 5, mu: 0.5 });
    assert.equal(results[0].id, 3);
    const [match] = matchesForResult(results[0]);
    assert.deepEqual(match.box, { x: 0, y: 0, w: 32, h: 24 });
    assert.ok(match.score > 0.999, `the mark matches its own region (${match.score})`);
    regions.close();
  } finally {
    await library.close();
  }
});
