// Region vectors from the image pass: the per-token head added to the vision graph, the head's own
// pooling of token sets, regions and marks pooled from the tokens, and the index pass that stores
// regions from its own encoder run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadEncoders } from '../engine/encoders/load-encoders.ts';
import { prepareForModel } from '../engine/images/prepare.ts';
import { loadRegionsConfig } from '../engine/regions/config.ts';
import { buildMarks, markEncoderOf } from '../engine/regions/marks.ts';
import { encodeImageTokens } from '../engine/regions/region-embedding.ts';
import { RegionIndexer, regionEncoderOf } from '../engine/regions/region-indexer.ts';
import { headCellRows } from '../engine/regions/token-pooling.ts';
import type { TokenMatrix } from '../engine/types.ts';
import { tempDir, tinyClip, writeImages, indexConfig } from './helpers/library-fixtures.ts';
import { syntheticScene } from './helpers/synthetic-scene.ts';

const models = join(import.meta.dirname, 'models');
const builtin = join(import.meta.dirname, '..', 'models', 'builtin');
const scene = syntheticScene(320, 240, 4);

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

function row(m: TokenMatrix, i: number): Float32Array {
  return m.data.slice(i * m.dim, (i + 1) * m.dim);
}

for (const dtype of ['fp32', 'fp16', 'q8'] as const) {
  test(`CLIP (${dtype}): one pass gives the image embedding and every token projected; the CLS row is the image embedding`, async () => {
    const { image, text } = await loadEncoders(join(models, 'tiny-clip'), { dtype });
    try {
      assert.equal(image.hasTokenEmbeds, true);
      const pixels = await prepareForModel(scene.image, image.preprocess);
      const [plain] = await image.encodePixels([pixels]);
      const [e] = await image.encodePixels([pixels], { tokenEmbeds: true });
      assert.deepEqual(Array.from(e.embedding), Array.from(plain.embedding), 'asking for tokens leaves the embedding alone');
      assert.equal(e.tokenEmbeds!.count, 50);
      assert.equal(e.tokenEmbeds!.dim, 32);
      assert.ok(cosine(row(e.tokenEmbeds!, 0), e.embedding) > 0.999);
      assert.ok(cosine(row(e.tokenEmbeds!, 5), e.embedding) < 0.99, 'patch tokens are not the image embedding');
      // CLIP's head reads the first token only: it does not pool a set, so boxes use the weighted mean.
      assert.equal(await image.poolTokenSets([headCellRows(e.headTokens!)]), undefined);
    } finally {
      await image.dispose();
      await text.dispose();
    }
  });
}

for (const [name, folder, cells] of [
  ['SigLIP (attention-pooling head)', join(models, 'tiny-siglip'), 196],
  ['the built-in CNN (mean and max of its cells)', builtin, 16],
] as const) {
  test(`${name}: the head pools a token set the way the model pools the whole image`, { skip: existsSync(folder) ? false : `${folder} is missing` }, async () => {
    const { image, text } = await loadEncoders(folder);
    try {
      const [e] = await image.encodePixels([await prepareForModel(scene.image, image.preprocess)], { tokenEmbeds: true });
      assert.equal(e.tokenEmbeds!.count, cells);
      const all = headCellRows(e.headTokens!);
      assert.equal(all.count, cells);
      const firstHalf = { data: all.data.slice(0, (cells / 2) * all.dim), count: cells / 2, dim: all.dim };
      const [whole, half] = (await image.poolTokenSets([all, firstHalf]))!;
      assert.ok(cosine(whole, e.embedding) > 0.999, 'all cells pooled = the image embedding');
      assert.ok(cosine(half, e.embedding) < 0.999, 'half of the cells give another vector');
    } finally {
      await image.dispose();
      await text.dispose();
    }
  });
}

test('regions and marks are embedded alike: a mark drawn on a stored region gets that region’s vector', async (t) => {
  const { image, text } = await loadEncoders(builtin);
  t.after(async () => {
    await image.dispose();
    await text.dispose();
  });
  const dir = tempDir(t, 'vr-token-regions-');
  const config = { ...loadRegionsConfig(), source: 'windows' as const, embed: 'tokens' as const, windows: [{ grid: 2, size: 0.5 }] };
  const indexer = await RegionIndexer.open(dir, regionEncoderOf(image), config, join(dir, 'regions.bin'));
  t.after(() => indexer.close());
  assert.equal(indexer.embed, 'tokens');
  await indexer.add([{ id: 1, image: scene.image }]);
  const stored = indexer.store.get(1)!;
  assert.equal(stored.length, 4);
  const [mark] = await buildMarks([{ label: 'm', relevant: true, image: scene.image, box: stored[2].box }], 'crop', markEncoderOf(image, text), 'tokens');
  assert.ok(cosine(mark.vector, stored[2].embedding) > 0.999, 'same box, same vector');
  assert.ok(cosine(mark.vector, stored[1].embedding) < 0.999, 'another box, another vector');
  // Tokens handed over from the image pass give the same regions as the indexer's own encoding.
  const [tokens] = await encodeImageTokens(image, [await prepareForModel(scene.image, image.preprocess)]);
  await indexer.add([{ id: 2, image: scene.image, imageTokens: tokens }]);
  indexer.store.get(2)!.forEach((r, i) => assert.ok(cosine(r.embedding, stored[i].embedding) > 0.999));
});

test('index: regions come from the image pass (summary with their own time); --no-regions builds none', async (t) => {
  const { Library } = await import('../engine/library/library.ts');
  const { buildLibrary } = await import('../engine/library/build-library.ts');
  const root = tempDir(t);
  const images = join(root, 'images');
  await writeImages(images, 6);
  const withRegions = await Library.open({ dataDir: join(root, 'a'), model: tinyClip, indexConfig: indexConfig() });
  try {
    const built = await buildLibrary(withRegions, { folder: images, regions: true });
    assert.equal(built.images.added, 6);
    assert.equal(built.regions!.added, 6);
    assert.ok(built.regions!.regions >= 6);
    assert.ok(built.regions!.seconds > 0);
    assert.ok(existsSync(join(withRegions.dir, 'regions.bin')));
    const again = await buildLibrary(withRegions, { folder: images, regions: true });
    assert.equal(again.regions!.added, 0, 'nothing left for the catch-up pass');
  } finally {
    await withRegions.close();
  }
  const without = await Library.open({ dataDir: join(root, 'b'), model: tinyClip, indexConfig: indexConfig() });
  try {
    const built = await buildLibrary(without, { folder: images, regions: false });
    assert.equal(built.images.added, 6);
    assert.equal(built.regions, undefined);
    assert.equal(existsSync(join(without.dir, 'regions.bin')), false);
  } finally {
    await without.close();
  }
});

test('cells source: proposals ranked on the token grid read no pixels; an object of the scene gets a box of its cells', async (t) => {
  const { image, text } = await loadEncoders(builtin);
  t.after(async () => {
    await image.dispose();
    await text.dispose();
  });
  const dir = tempDir(t, 'vr-cell-regions-');
  const config = { ...loadRegionsConfig(), source: 'cells' as const, embed: 'tokens' as const };
  const indexer = await RegionIndexer.open(dir, regionEncoderOf(image), config, join(dir, 'regions.bin'));
  t.after(() => indexer.close());
  const [tokens] = await encodeImageTokens(image, [await prepareForModel(scene.image, image.preprocess)]);
  const sizeOnly = { data: new Uint8Array(0), width: scene.image.width, height: scene.image.height };
  const stats = await indexer.add([{ id: 1, image: sizeOnly, imageTokens: tokens }]);
  const windows = config.proposer.plusWindows.reduce((n, w) => n + w.grid * w.grid, 0);
  assert.ok(stats.regions > windows && stats.regions <= config.proposer.maxBoxes + windows);
  const stored = indexer.store.get(1)!;
  for (const r of stored) {
    assert.ok(r.box.x >= 0 && r.box.y >= 0 && r.box.x + r.box.w <= 320 && r.box.y + r.box.h <= 240, 'inside the image');
  }
});
