// The library contract, run against both backends: the embedded one (SQLite + HNSW in a data folder)
// and the postgres one (pgvector, here on PGlite over the Postgres wire protocol). What a user of the
// tools sees must not depend on where the library is kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Library } from '../engine/library/library.ts';
import { EmbeddedBackend } from '../engine/library/embedded-backend.ts';
import type { LibraryBackend } from '../engine/library/library-backend.ts';
import { PostgresLibrary } from '../engine/library/postgres/postgres-library.ts';
import { imageBytes, indexConfig, tempDir, tinyClip, writeImages } from './helpers/library-fixtures.ts';
import { devDatabaseStartTimeoutMs, startTestDatabase } from './helpers/dev-postgres.ts';

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

async function contract(t: { after(fn: () => void): void }, open: () => Promise<LibraryBackend>): Promise<void> {
  const images = join(tempDir(t), 'images');
  await writeImages(images, 10);

  const library = await open();
  const report = await library.indexFolder({ folder: images, batchSize: 4 });
  assert.deepEqual([report.added, report.skipped, report.aborted], [10, 0, false]);
  const records = await library.listImages();
  assert.deepEqual(records.map((r) => r.relPath), Array.from({ length: 10 }, (_, i) => `img${String(i).padStart(3, '0')}.jpg`));
  assert.deepEqual(records.map((r) => r.id), Array.from({ length: 10 }, (_, i) => i + 1), 'ids 1..10 in path order');
  const fifth = (await library.getImage(5))!;
  assert.deepEqual([fifth.relPath, fifth.width, fifth.height, fifth.status], ['img004.jpg', 64, 48, 'indexed']);
  assert.equal(await library.getImage(999), undefined);
  await assert.rejects(library.imagePath(999), /no image with id 999/);
  assert.equal(await library.imagePath(5), join(images, 'img004.jpg'));

  const query = (await library.vector(5))!;
  assert.equal(query.length, library.dim);
  assert.ok(Math.abs(dot(query, query) - 1) < 1e-4, 'stored vectors are normalised');
  const before = await library.search(query, 5);
  assert.equal(before[0].id, 5);
  assert.ok(Math.abs(before[0].score - 1) < 1e-4);
  assert.ok(before.every((hit, i) => i === 0 || hit.score <= before[i - 1].score), 'best first');
  assert.deepEqual(
    (await library.search(query, 3, { exclude: new Set([5]) })).map((h) => h.id),
    before.slice(1, 4).map((h) => h.id),
  );
  assert.deepEqual([...(await library.vectors([1, 2, 999])).keys()].sort(), [1, 2]);
  // Encoding the same file again gives the stored vector; a text query reaches every image.
  const again = await library.encodeImage(readFileSync(join(images, 'img004.jpg')));
  assert.ok(Math.abs(dot(again, query) - 1) < 1e-4);
  assert.equal((await library.search(await library.encodeText('a striped picture'), 100)).length, 10);

  // Incremental: an unchanged folder is not read again, nothing is duplicated; edits and removals follow.
  const rerun = await library.indexFolder({ folder: images, batchSize: 4 });
  assert.deepEqual([rerun.added, rerun.updated, rerun.unchanged, rerun.removed], [0, 0, 10, 0]);
  rmSync(join(images, 'img009.jpg'));
  writeFileSync(join(images, 'img000.jpg'), await imageBytes(50));
  writeFileSync(join(images, 'broken.jpg'), 'not an image');
  const edited = await library.indexFolder({ folder: images, batchSize: 4 });
  assert.deepEqual([edited.added, edited.updated, edited.removed, edited.skipped], [1, 1, 1, 1]);
  assert.deepEqual(edited.skippedFiles.map((f) => f.path), ['broken.jpg']);
  assert.deepEqual((await library.listImages()).map((r) => r.id), [1, 2, 3, 4, 5, 6, 7, 8, 9], 'ids are kept across edits');
  assert.equal((await library.listImages('skipped')).length, 1);
  assert.equal((await library.search(query, 100)).length, 9, 'the removed and the broken file are not found');
  const status = await library.status();
  assert.deepEqual([status.images, status.skipped, status.dim, status.root], [9, 1, library.dim, images]);
  const last = await library.search(query, 5);
  await library.close();

  // Reopened (as another process would see it): the same answers.
  const reopened = await open();
  assert.deepEqual(await reopened.search(query, 5), last);
  assert.equal((await reopened.status()).images, 9);
  await reopened.close();
}

test('contract: the embedded backend', async (t) => {
  const data = join(tempDir(t), 'data');
  await contract(t, async () => new EmbeddedBackend(await Library.open({ dataDir: data, model: tinyClip, indexConfig: indexConfig() })));
});

test('contract: the postgres backend', { timeout: devDatabaseStartTimeoutMs + 120_000 }, async (t) => {
  const database = await startTestDatabase(t, 7581);
  await contract(t, () => PostgresLibrary.open({ url: database.url, model: tinyClip, indexConfig: indexConfig() }));
});
