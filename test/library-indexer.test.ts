import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Library } from '../engine/library/library.ts';
import { indexFolder } from '../engine/library/indexer.ts';
import { imageBytes, indexConfig, pngBomb, tempDir, tinyClip, writeImages } from './helpers/library-fixtures.ts';

async function openLibrary(dataDir: string, config = indexConfig()): Promise<Library> {
  return Library.open({ dataDir, model: tinyClip, indexConfig: config });
}

test('index a folder, search by a stored vector, reopen and get the same results', async (t) => {
  const dir = tempDir(t);
  const images = join(dir, 'images');
  await writeImages(images, 12);
  await writeImages(join(images, 'sub', 'deeper'), 3, { prefix: 'nested', seed: 100 });
  const data = join(dir, 'data');

  const library = await openLibrary(data);
  const progress: number[] = [];
  const report = await indexFolder(library, { folder: images, batchSize: 4, onProgress: (p) => progress.push(p.done) });
  assert.equal(report.added, 15);
  assert.equal(report.skipped, 0);
  assert.equal(progress.at(-1), 15);
  const records = library.listImages();
  assert.deepEqual(records.map((r) => r.id), Array.from({ length: 15 }, (_, i) => i + 1), 'ids 1..15 in path order');
  assert.equal(records[0].relPath, 'img000.jpg');
  assert.equal(records.at(-1)!.relPath, 'sub/deeper/nested002.jpg');
  assert.deepEqual([records[0].width, records[0].height], [64, 48]);

  const query = library.vector(5)!;
  const before = library.search(query, 5);
  assert.equal(before[0].id, 5);
  assert.ok(Math.abs(before[0].score - 1) < 1e-4);
  assert.deepEqual(
    library.search(query, 3, { exclude: new Set([5]) }).map((h) => h.id),
    before.slice(1, 4).map((h) => h.id),
  );
  // Encoding the same file again gives the stored vector.
  const again = await library.encodeImage(readFileSync(join(images, 'img004.jpg')));
  assert.ok(Math.abs(again.reduce((s, x, i) => s + x * query[i], 0) - 1) < 1e-4);
  const textVector = await library.encodeText('a striped picture');
  assert.equal(textVector.length, library.dim);
  assert.equal(library.search(textVector, 100).length, 15);
  await library.close();

  const reopened = await openLibrary(data);
  assert.deepEqual(reopened.search(query, 5), before);
  const status = reopened.status();
  assert.equal(status.images, 15);
  assert.equal(status.skipped, 0);
  assert.equal(status.root, images);
  assert.ok(status.indexBytes > 0);
  await reopened.close();
});

test('incremental runs: add, change, touch and delete files', async (t) => {
  const dir = tempDir(t);
  const images = join(dir, 'images');
  await writeImages(images, 6);
  const library = await openLibrary(join(dir, 'data'));
  t.after(() => library.close());
  await indexFolder(library, { folder: images });
  const idOf = (p: string) => library.store.byPath(p)!.id;
  const oldVector = library.vector(idOf('img002.jpg'))!;

  const second = await indexFolder(library, { folder: images });
  assert.deepEqual([second.added, second.updated, second.removed, second.unchanged], [0, 0, 0, 6]);

  writeFileSync(join(images, 'img002.jpg'), await imageBytes(500)); // new content
  utimesSync(join(images, 'img003.jpg'), new Date(), new Date(Date.now() + 5000)); // same content, new mtime
  unlinkSync(join(images, 'img000.jpg'));
  unlinkSync(join(images, 'img005.jpg'));
  await writeImages(images, 2, { prefix: 'new', seed: 300 });

  const third = await indexFolder(library, { folder: images });
  assert.equal(third.added, 2);
  assert.equal(third.updated, 1, 'only the file whose content changed is encoded again');
  assert.equal(third.unchanged, 3, 'img001 and img004 untouched, img003 touched with the same content');
  assert.equal(third.removed, 2);
  assert.equal(library.getImage(1), undefined);
  assert.equal(library.search(oldVector, 10).some((h) => h.id === 1 || h.id === 6), false, 'deleted images are not found');
  assert.equal(idOf('img002.jpg'), 3, 'a changed file keeps its id');
  assert.notDeepEqual(library.vector(3), oldVector);
  assert.deepEqual([idOf('new000.jpg'), idOf('new001.jpg')], [7, 8], 'new files get new ids, deleted ids are not reused');
  assert.equal(library.status().images, 6);
  assert.equal(library.index.size, 6);
});

test('bad files are reported with their reason and skipped without shifting ids', async (t) => {
  const dir = tempDir(t);
  const images = join(dir, 'images');
  await writeImages(images, 3);
  const good = await imageBytes(9);
  writeFileSync(join(images, 'a-empty.jpg'), Buffer.alloc(0));
  writeFileSync(join(images, 'b-truncated.jpg'), good.subarray(0, Math.floor(good.length / 2)));
  writeFileSync(join(images, 'c-text.png'), 'this is not a picture\n');
  writeFileSync(join(images, 'd-bomb.png'), pngBomb());
  symlinkSync(join(images, 'missing.jpg'), join(images, 'e-dangling.jpg'));
  mkdirSync(join(images, 'loop'));
  symlinkSync('..', join(images, 'loop', 'back'));
  writeFileSync(join(images, 'notes.txt'), 'not an image extension: ignored');

  const library = await openLibrary(join(dir, 'data'));
  t.after(() => library.close());
  const report = await indexFolder(library, { folder: images, batchSize: 2 });
  const reasons = Object.fromEntries(report.skippedFiles.map((f) => [f.path, f.reason]));
  assert.deepEqual(Object.keys(reasons).sort(), ['a-empty.jpg', 'b-truncated.jpg', 'c-text.png', 'd-bomb.png', 'e-dangling.jpg']);
  assert.match(reasons['a-empty.jpg'], /empty/);
  assert.match(reasons['b-truncated.jpg'], /truncated/);
  assert.match(reasons['c-text.png'], /not an image/);
  assert.match(reasons['d-bomb.png'], /more pixels than allowed/);
  assert.match(reasons['e-dangling.jpg'], /dangling symlink/);
  assert.deepEqual(report.unreadableFolders, [{ path: 'loop/back', reason: 'symlink loop (folder already visited)' }]);
  assert.equal(report.skipped, 5);
  assert.equal(report.added, 8);

  const status = library.status();
  assert.equal(status.images, 3);
  assert.equal(status.skipped, 5);
  assert.deepEqual(status.skippedFiles.map((f) => f.path).sort(), Object.keys(reasons).sort());
  const goodIds = ['img000.jpg', 'img001.jpg', 'img002.jpg'].map((p) => library.store.byPath(p)!.id);

  // A second run changes nothing; fixing a bad file indexes it under its old id.
  const again = await indexFolder(library, { folder: images });
  assert.deepEqual([again.added, again.updated, again.removed], [0, 0, 0]);
  assert.equal(again.skipped, 1, 'the dangling symlink is reported again (it has no size or mtime to compare)');
  const truncatedId = library.store.byPath('b-truncated.jpg')!.id;
  writeFileSync(join(images, 'b-truncated.jpg'), good);
  const fixed = await indexFolder(library, { folder: images });
  assert.equal(fixed.updated, 1);
  assert.equal(library.store.byPath('b-truncated.jpg')!.status, 'indexed');
  assert.equal(library.store.byPath('b-truncated.jpg')!.id, truncatedId);
  assert.deepEqual(['img000.jpg', 'img001.jpg', 'img002.jpg'].map((p) => library.store.byPath(p)!.id), goodIds);
  assert.equal(library.index.size, 4);
});

test('image paths are resolved under the root only; unknown ids are refused', async (t) => {
  const dir = tempDir(t);
  const images = join(dir, 'images');
  await writeImages(images, 2);
  const library = await openLibrary(join(dir, 'data'));
  t.after(() => library.close());
  await indexFolder(library, { folder: images });
  assert.equal(library.imagePath(1), join(images, 'img000.jpg'));
  const loaded = await library.loadImage(2);
  assert.deepEqual([loaded.width, loaded.height, loaded.data.length], [64, 48, 64 * 48 * 3]);
  assert.throws(() => library.imagePath(99), /no image with id 99/);
  // A tampered database must not expose other files.
  for (const evil of ['../secret.jpg', '/etc/passwd', 'a/../../b.jpg']) {
    library.db.prepare('UPDATE images SET rel_path = ? WHERE id = 1').run(evil);
    assert.throws(() => library.imagePath(1), /outside the library root/, evil);
  }
  await assert.rejects(library.loadImage(1), /outside the library root/);
  await assert.rejects(indexFolder(library, { folder: dir }), /already indexes/);
});

test('the index is reconciled with the database after a crash between commit and save', async (t) => {
  const dir = tempDir(t);
  const images = join(dir, 'images');
  await writeImages(images, 5);
  const data = join(dir, 'data');
  const library = await openLibrary(data);
  await indexFolder(library, { folder: images });
  const indexFile = library.indexFile;
  const v2 = library.vector(2)!;
  const v4 = library.vector(4)!;
  // Rows committed after the last index save (as if killed before saving): a vector changed, a row
  // deleted, a row added.
  library.store.transaction(() => {
    library.store.write({ relPath: 'img000.jpg', size: 1, mtimeMs: 1, hash: 'x', width: 64, height: 48, status: 'indexed', vector: v4 });
    library.store.delete(2);
    library.store.write({ relPath: 'extra.jpg', size: 1, mtimeMs: 1, hash: 'y', width: 64, height: 48, status: 'indexed', vector: v2 });
  });
  library.db.close();

  const reopened = await openLibrary(data);
  assert.equal(reopened.index.size, 5);
  assert.equal(reopened.index.has(2), false);
  assert.equal(reopened.search(v2, 1)[0].id, 6, 'the added row is searchable');
  assert.deepEqual(new Set(reopened.search(v4, 2).map((h) => h.id)), new Set([1, 4]), 'the changed vector is in place');
  await reopened.close();

  // A lost index file is rebuilt from the vectors in the database.
  rmSync(indexFile);
  const rebuilt = await openLibrary(data);
  t.after(() => rebuilt.close());
  assert.equal(rebuilt.index.size, 5);
  assert.ok(existsSync(indexFile));
  assert.deepEqual(new Set(rebuilt.search(v4, 2).map((h) => h.id)), new Set([1, 4]));
});

test('the exact index can be chosen by configuration', async (t) => {
  const dir = tempDir(t);
  const images = join(dir, 'images');
  await writeImages(images, 4);
  const library = await openLibrary(join(dir, 'data'), indexConfig({}, 'flat'));
  t.after(() => library.close());
  await indexFolder(library, { folder: images });
  assert.equal(library.index.kind, 'flat');
  assert.ok(library.indexFile.endsWith('index.flat'));
  assert.equal(library.search(library.vector(3)!, 1)[0].id, 3);
});

test('a file removed between the scan and its decoding is skipped, then forgotten', async (t) => {
  const dir = tempDir(t);
  const images = join(dir, 'images');
  await writeImages(images, 4);
  const library = await openLibrary(join(dir, 'data'));
  t.after(() => library.close());
  const report = await indexFolder(library, {
    folder: images,
    // The first 'index' progress comes after the scan and before any file is read.
    onProgress: (p) => {
      if (p.phase === 'index' && p.done === 0) unlinkSync(join(images, 'img001.jpg'));
    },
  });
  assert.deepEqual(report.skippedFiles, [{ path: 'img001.jpg', reason: 'file removed during indexing' }]);
  assert.equal(library.status().images, 3);
  const next = await indexFolder(library, { folder: images });
  assert.equal(next.removed, 1);
  assert.deepEqual(library.status().skippedFiles, []);
});

const asRoot = process.getuid?.() === 0;
test('files and folders without read permission are reported', { skip: asRoot && 'running as root, who can read anything (dangling symlinks cover unreadable entries)' }, async (t) => {
  const dir = tempDir(t);
  const images = join(dir, 'images');
  await writeImages(images, 2);
  await writeImages(join(images, 'locked'), 1);
  chmodSync(join(images, 'img001.jpg'), 0o000);
  chmodSync(join(images, 'locked'), 0o000);
  const library = await openLibrary(join(dir, 'data'));
  try {
    const report = await indexFolder(library, { folder: images });
    assert.deepEqual(report.skippedFiles, [{ path: 'img001.jpg', reason: 'permission denied' }]);
    assert.deepEqual(report.unreadableFolders, [{ path: 'locked', reason: 'permission denied' }]);
    assert.equal(library.status().images, 1);
  } finally {
    await library.close();
    chmodSync(join(images, 'locked'), 0o755); // so that the temporary folder can be removed
  }
});
