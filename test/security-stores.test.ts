// Damaged stores heal or are reported, never taken at face value: a region store with a bad header is
// moved aside and rebuilt (by `index`, and in the background by a running server), a record with a bad
// checksum is scored as a whole image and extracted again by the next index run, a torn tail is cut
// and logged; a tampered vector in index.hnsw makes the index be rebuilt; a 0-byte or garbage
// library.db is reported as damage naming the file.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Library } from '../engine/library/library.ts';
import { indexFolder } from '../engine/library/indexer.ts';
import { HnswIndex } from '../engine/index/hnsw-index.ts';
import { indexLibraryRegions } from '../engine/regions/library-regions.ts';
import { regionsFileName } from '../engine/regions/region-indexer.ts';
import { RegionStore } from '../engine/regions/region-store.ts';
import { openToolContext } from '../tools/context.ts';
import { search } from '../tools/search.ts';
import { refineQuery } from '../tools/refine-query.ts';
import { indexConfig, tempDir, tinyClip, writeImages } from './helpers/library-fixtures.ts';

/** Collects what is written to stderr (where log.warn goes) while `fn` runs. */
async function stderrOf<T>(fn: () => Promise<T>): Promise<{ result: T; stderr: string }> {
  const write = process.stderr.write.bind(process.stderr);
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { result: await fn(), stderr };
  } finally {
    process.stderr.write = write;
  }
}

/** A library of 6 images with its regions indexed, as `visualref index` leaves it. */
async function indexedLibrary(t: TestContext): Promise<{ dataDir: string; libraryDir: string; regionsFile: string; ids: number[] }> {
  const dir = tempDir(t);
  const root = join(dir, 'W');
  mkdirSync(root);
  await writeImages(root, 6);
  const dataDir = join(dir, 'data');
  const library = await Library.open({ dataDir, model: tinyClip });
  try {
    await indexFolder(library, { folder: root });
    await indexLibraryRegions(library);
    return { dataDir, libraryDir: library.dir, regionsFile: join(library.dir, regionsFileName), ids: library.listImages().map((r) => r.id) };
  } finally {
    await library.close();
  }
}

async function regionPass(dataDir: string) {
  const library = await Library.open({ dataDir, model: tinyClip });
  try {
    return await stderrOf(() => indexLibraryRegions(library));
  } finally {
    await library.close();
  }
}

function overwrite(file: string, at: number, bytes: Buffer): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, bytes, 0, bytes.length, at);
  closeSync(fd);
}

test('index: a region store with a damaged header is moved aside and rebuilt, with one warning', async (t) => {
  const lib = await indexedLibrary(t);
  overwrite(lib.regionsFile, 0, Buffer.alloc(16));
  const { result, stderr } = await regionPass(lib.dataDir);
  assert.equal(result.added, 6);
  assert.equal(stderr.match(/warning: .*not a visualref region store/g)?.length, 1, stderr);
  assert.ok(readdirSync(lib.libraryDir).some((name) => name.startsWith(`${regionsFileName}.damaged-`)), 'the damaged file is kept aside');
});

test('serve: a 0-byte region store is moved aside and rebuilt in the background while searches go on', async (t) => {
  const lib = await indexedLibrary(t);
  writeFileSync(lib.regionsFile, '');
  const { result: ctx, stderr } = await stderrOf(() => openToolContext({ dataDir: lib.dataDir, model: tinyClip }));
  t.after(() => ctx.close());
  assert.equal(stderr.match(/warning: /g)?.length, 1, stderr);
  assert.equal((await search(ctx, { text: 'a photo', k: 3 })).results.length, 3, 'searching works meanwhile');
  const deadline = Date.now() + 120_000;
  while (!ctx.regionsOf(lib.ids[0]) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  assert.ok(ctx.regionsOf(lib.ids[0]), 'the regions were rebuilt and are used');
});

test('a record with a bad checksum: refine falls back to whole-image scoring and says so; the next index extracts it again', async (t) => {
  const lib = await indexedLibrary(t);
  // The first record (right after the 64-byte header); not the last one, which opening treats as a torn tail.
  const head = readFileSync(lib.regionsFile).subarray(64, 84);
  const damagedId = head.readUInt32LE(4);
  overwrite(lib.regionsFile, 64 + 20 + 2, Buffer.from([0xde, 0xad]));

  const ctx = await openToolContext({ dataDir: lib.dataDir, model: tinyClip });
  try {
    const found = await search(ctx, { text: 'a photo', k: 6 });
    const other = lib.ids.find((id) => id !== damagedId) as number;
    const { result: refined, stderr } = await stderrOf(() =>
      refineQuery(ctx, { sessionId: found.sessionId, regions: [{ imageId: other, box: { x: 0, y: 0, w: 32, h: 24 }, units: 'px', relevant: true }] }),
    );
    assert.equal(refined.results.length, 6, 'the refine was answered');
    assert.match(refined.explanation.summary, new RegExp(`image ${damagedId} is damaged: scored as whole images`));
    assert.match(stderr, /CRC mismatch/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  } finally {
    await ctx.close();
  }

  const { result, stderr } = await regionPass(lib.dataDir);
  assert.match(stderr, /1 damaged record/);
  assert.equal(result.added, 1);
  const store = RegionStore.open(lib.regionsFile, { ...(RegionStore.readSettings(lib.regionsFile) as NonNullable<ReturnType<typeof RegionStore.readSettings>>), readonly: true });
  try {
    assert.ok(store.getMatrix(damagedId), 'its regions read back whole');
    assert.deepEqual(store.damagedIds(), []);
  } finally {
    store.close();
  }
});

test('a torn tail of the region store is cut off and logged by the next index run', async (t) => {
  const lib = await indexedLibrary(t);
  const whole = readFileSync(lib.regionsFile).length;
  appendFileSync(lib.regionsFile, Buffer.from(readFileSync(lib.regionsFile).subarray(64, 64 + 100)));
  const { result, stderr } = await regionPass(lib.dataDir);
  assert.equal(result.added, 0);
  assert.match(stderr, /cut off 100 bytes of an incomplete last record \(torn tail\)/);
  assert.equal(readFileSync(lib.regionsFile).length, whole);
});

test('a tampered vector in index.hnsw is detected on open and the index rebuilt from the database', async (t) => {
  const dir = tempDir(t);
  const root = join(dir, 'W');
  mkdirSync(root);
  await writeImages(root, 12);
  const dataDir = join(dir, 'data');
  const config = indexConfig({}, 'hnsw');
  let library = await Library.open({ dataDir, model: tinyClip, indexConfig: config });
  await indexFolder(library, { folder: root });
  const target = library.listImages()[3].id;
  const original = library.vector(target) as Float32Array;
  const file = library.indexFile;
  await library.close();

  const index = HnswIndex.load(file, original.length, config.hnsw);
  index.upsert(target, original.map((v) => -v));
  index.save();

  const { result: reopened, stderr } = await stderrOf(() => Library.open({ dataDir, model: tinyClip, indexConfig: config }));
  library = reopened;
  t.after(() => library.close());
  assert.match(stderr, new RegExp(`vector of image ${target} differs from library.db; rebuilding`));
  assert.equal(library.search(original, 1)[0].id, target, 'the image is found by its own vector again');
});

test('a 0-byte or garbage library.db is reported as damage naming the file, never as an empty library', async (t) => {
  const dir = tempDir(t);
  const root = join(dir, 'W');
  mkdirSync(root);
  await writeImages(root, 2);
  const dataDir = join(dir, 'data');
  const library = await Library.open({ dataDir, model: tinyClip, indexConfig: indexConfig({}, 'flat') });
  await indexFolder(library, { folder: root });
  const dbFile = join(library.dir, 'library.db');
  await library.close();
  for (const suffix of ['-wal', '-shm']) if (existsSync(dbFile + suffix)) writeFileSync(dbFile + suffix, '');

  writeFileSync(dbFile, '');
  await assert.rejects(Library.open({ dataDir, model: tinyClip }), (err: Error) => err.message.includes(`${dbFile} is empty (0 bytes)`));
  writeFileSync(dbFile, Buffer.alloc(8192, 7));
  await assert.rejects(Library.open({ dataDir, model: tinyClip }), (err: Error) => err.message.startsWith(`${dbFile} is damaged (file is not a database)`));
});
