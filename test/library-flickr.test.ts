// Integration test on real photographs (../shared/data/flickr8k-1k), skipped when they are absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../engine/config/load-config.ts';
import { Library } from '../engine/library/library.ts';
import { indexFolder } from '../engine/library/indexer.ts';
import { indexConfig, tempDir, tinyClip } from './helpers/library-fixtures.ts';

const flickr = join(repoRoot, '..', 'shared', 'data', 'flickr8k-1k', 'images');
const skip = existsSync(flickr) ? false : `real images absent (${flickr})`;

test('1,000 Flickr8k photographs: all indexed, re-index adds nothing, deleting 10 removes 10', { skip }, async (t) => {
  const dir = tempDir(t, 'visualref-flickr-');
  const images = join(dir, 'images');
  cpSync(flickr, images, { recursive: true });
  const library = await Library.open({ dataDir: join(dir, 'data'), model: tinyClip, indexConfig: indexConfig() });
  t.after(() => library.close());

  const first = await indexFolder(library, { folder: images });
  assert.equal(first.scanned, 1000);
  assert.equal(first.added, 1000);
  assert.equal(first.skipped, 0, JSON.stringify(first.skippedFiles));
  assert.equal(library.index.size, 1000);
  const some = library.store.byPath('1000268201_693b08cb0e.jpg')!;
  assert.equal(some.status, 'indexed');
  assert.ok(some.width! > 100 && some.height! > 100);

  const second = await indexFolder(library, { folder: images });
  assert.deepEqual([second.added, second.updated, second.removed, second.unchanged], [0, 0, 0, 1000]);

  const doomed = readdirSync(images).sort().slice(100, 110);
  const doomedIds = doomed.map((name) => library.store.byPath(name)!.id);
  for (const name of doomed) rmSync(join(images, name));
  const third = await indexFolder(library, { folder: images });
  assert.equal(third.removed, 10);
  assert.equal(third.added, 0);
  assert.equal(library.status().images, 990);
  assert.equal(library.index.size, 990);
  const vector = library.vector(1)!;
  const hits = library.search(vector, 990);
  assert.ok(!hits.some((h) => doomedIds.includes(h.id)));
});
