// Stored captions in a real library: what is pending, what GRF reads back, and what a changed or
// deleted image does to its captions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, mkdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import sharp from 'sharp';
import { Library } from '../engine/library/library.ts';
import { indexFolder } from '../engine/library/indexer.ts';
import { CaptionStore, latestCaptionTexts, readCaptions } from '../engine/captioners/caption-store.ts';

const tinyClip = join(import.meta.dirname, 'models', 'tiny-clip');

async function writeSquare(file: string, rgb: [number, number, number]): Promise<void> {
  await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toFile(file);
}

test('pending images, saved captions read back for GRF, failures, changed and deleted files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'visualref-caption-store-'));
  const images = join(dir, 'images');
  mkdirSync(images);
  try {
    await writeSquare(join(images, 'a.png'), [255, 0, 0]);
    await writeSquare(join(images, 'b.png'), [0, 255, 0]);
    await writeSquare(join(images, 'c.png'), [0, 0, 255]);
    const library = await Library.open({ dataDir: join(dir, 'data'), model: tinyClip });
    try {
      await indexFolder(library, { folder: images });
      const ids = library.listImages().map((r) => r.id);
      const byName = new Map(library.listImages().map((r) => [r.relPath, r.id]));
      assert.equal(ids.length, 3);
      const store = new CaptionStore(library.db);
      const grf = { captioner: 'llava', promptVersion: 'grf-v1' };
      assert.deepEqual(store.pendingIds(grf), ids);

      store.saveCaption(grf, byName.get('a.png')!, { text: 'a red square', model: 'llava-v1.5-7b', latencyMs: 812.4 });
      store.saveFailure(grf, byName.get('b.png')!, 'cannot decode');
      assert.deepEqual(store.pendingIds(grf), [byName.get('c.png')]);
      // Another prompt version is a different set of captions.
      assert.deepEqual(store.pendingIds({ captioner: 'llava', promptVersion: 'grf-v2' }), ids);

      const read = store.captionsFor([byName.get('a.png')!, byName.get('c.png')!, 9999]);
      assert.deepEqual([...read.keys()], [byName.get('a.png')]);
      const [caption] = read.get(byName.get('a.png')!)!;
      assert.equal(caption.text, 'a red square');
      assert.equal(caption.promptVersion, 'grf-v1');
      assert.equal(store.captionsFor([byName.get('a.png')!], { captioner: 'world-phrases' }).size, 0);

      // Saving again replaces (no duplicate), and clears a recorded failure.
      store.saveCaption(grf, byName.get('b.png')!, { text: 'a green square', model: 'm', latencyMs: 1 });
      store.saveCaption(grf, byName.get('b.png')!, { text: 'a green box', model: 'm', latencyMs: 1 });
      assert.deepEqual(store.captionsFor([byName.get('b.png')!]).get(byName.get('b.png')!)!.map((c) => c.text), ['a green box']);
      assert.equal(store.countCaptions(grf), 2);
      // What GRF reads: the newest caption per image, from any captioner unless one is named.
      store.saveCaption({ captioner: 'world-phrases', promptVersion: 'phrases-x' }, byName.get('a.png')!, { text: 'a red plain square', model: 'w', latencyMs: 3 });
      assert.deepEqual(
        [...latestCaptionTexts(library.db, [byName.get('a.png')!, byName.get('b.png')!, byName.get('c.png')!], { captioner: 'llava' })],
        [[byName.get('a.png'), 'a red square'], [byName.get('b.png'), 'a green box']],
      );
      assert.equal(readCaptions(library.db, [byName.get('a.png')!]).get(byName.get('a.png')!)!.length, 2);

      // A changed file is pending again and its old caption is no longer read.
      await writeSquare(join(images, 'a.png'), [250, 250, 0]);
      const later = new Date(Date.now() + 5000);
      utimesSync(join(images, 'a.png'), later, later);
      await indexFolder(library, { folder: images });
      assert.deepEqual(store.pendingIds(grf), [byName.get('a.png'), byName.get('c.png')].sort((x, y) => x! - y!));
      assert.equal(store.captionsFor([byName.get('a.png')!]).size, 0);

      // A deleted file takes its captions with it.
      rmSync(join(images, 'b.png'));
      await indexFolder(library, { folder: images });
      assert.equal(store.captionsFor([byName.get('b.png')!]).size, 0);
      assert.equal(store.countCaptions(grf), 1);
    } finally {
      await library.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
