import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlatIndex } from '../engine/index/flat-index.ts';
import { HnswIndex } from '../engine/index/hnsw-index.ts';
import { openIndex } from '../engine/index/open-index.ts';
import type { PersistentIndex } from '../engine/index/persistent-index.ts';

const params = { m: 16, efConstruction: 100, efSearch: 64, growBy: 16 };

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'visualref-index-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Deterministic pseudo-random unit vectors. */
function vectors(count: number, dim: number, seed = 1): Float32Array[] {
  let s = seed;
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  };
  return Array.from({ length: count }, () => {
    const v = Float32Array.from({ length: dim }, rand);
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  });
}

const kinds: [string, (file: string, dim: number) => PersistentIndex, (file: string, dim: number) => PersistentIndex][] = [
  ['hnsw', (f, d) => HnswIndex.create(f, d, params), (f, d) => HnswIndex.load(f, d, params)],
  ['flat', (f, d) => FlatIndex.create(f, d), (f, d) => FlatIndex.load(f, d)],
];

for (const [kind, create, load] of kinds) {
  test(`${kind}: cosine scores computed by hand`, (t) => {
    const index = create(join(tempDir(t), 'i'), 3);
    index.upsert(7, Float32Array.of(1, 0, 0));
    index.upsert(8, Float32Array.of(0, 2, 0)); // not unit length: cosine ignores the norm
    index.upsert(9, Float32Array.of(1, 1, 0));
    const hits = index.search(Float32Array.of(1, 0, 0), 3);
    assert.deepEqual(hits.map((h) => h.id), [7, 9, 8]);
    assert.ok(Math.abs(hits[0].score - 1) < 1e-6);
    assert.ok(Math.abs(hits[1].score - Math.SQRT1_2) < 1e-6);
    assert.ok(Math.abs(hits[2].score) < 1e-6);
  });

  test(`${kind}: grows past its initial capacity, replaces, removes and re-adds`, (t) => {
    const index = create(join(tempDir(t), 'i'), 8);
    const data = vectors(100, 8);
    data.forEach((v, i) => index.upsert(1000 + i, v));
    assert.equal(index.size, 100);
    assert.equal(index.search(data[42], 1)[0].id, 1042);

    index.upsert(1042, data[7]); // replace: 1042 now sits where 1007 is
    assert.equal(index.size, 100);
    assert.deepEqual(new Set(index.search(data[7], 2).map((h) => h.id)), new Set([1007, 1042]));

    index.remove(1007);
    index.remove(1007); // removing twice is harmless
    assert.equal(index.size, 99);
    assert.equal(index.has(1007), false);
    assert.equal(index.getVector(1007), undefined);
    assert.ok(!index.search(data[7], 5).some((h) => h.id === 1007));

    index.upsert(5000, data[0]); // a new id may take the deleted slot
    index.upsert(1007, data[7]); // and a removed id can come back
    assert.equal(index.size, 101);
    assert.ok(index.search(data[7], 2).some((h) => h.id === 1007));
    assert.deepEqual(new Set(index.ids()).size, 101);
  });

  test(`${kind}: k larger than the collection, filters`, (t) => {
    const index = create(join(tempDir(t), 'i'), 4);
    assert.deepEqual(index.search(Float32Array.of(1, 0, 0, 0), 5), []);
    vectors(3, 4).forEach((v, i) => index.upsert(i + 1, v));
    assert.equal(index.search(Float32Array.of(1, 0, 0, 0), 10).length, 3);
    const filtered = index.search(Float32Array.of(1, 0, 0, 0), 10, { filter: (id) => id !== 2 });
    assert.deepEqual(filtered.map((h) => h.id).sort(), [1, 3]);
  });

  test(`${kind}: save then load gives the same results, atomically`, (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'index');
    const data = vectors(300, 16, 7);
    const index = create(file, 16);
    data.forEach((v, i) => index.upsert(i + 1, v));
    index.remove(5);
    index.save();
    assert.deepEqual(readdirSync(dir), ['index'], 'no temporary file is left behind');
    const reopened = load(file, 16);
    assert.equal(reopened.size, 299);
    assert.equal(reopened.has(5), false);
    for (const q of data.slice(0, 20)) {
      assert.deepEqual(reopened.search(q, 10), index.search(q, 10));
    }
    const v = reopened.getVector(10)!;
    data[9].forEach((x, i) => assert.ok(Math.abs(x - v[i]) < 1e-6));
    assert.throws(() => load(file, 32), /expected 32/);
  });
}

test('openIndex starts empty (for a rebuild) when the file is corrupt', (t) => {
  const file = join(tempDir(t), 'index.hnsw');
  writeFileSync(file, 'not an index');
  const config = { kind: 'hnsw' as const, hnsw: params };
  const index = openIndex(file, 8, config);
  assert.equal(index.size, 0);
  const flatFile = join(tempDir(t), 'index.flat');
  const flat = FlatIndex.create(flatFile, 8);
  vectors(3, 8).forEach((v, i) => flat.upsert(i, v));
  flat.save();
  writeFileSync(flatFile, readFileSync(flatFile).subarray(0, 40)); // truncated
  assert.equal(openIndex(flatFile, 8, { kind: 'flat', hnsw: params }).size, 0);
});

test('hnsw: 2,000 vectors, recall@10 against exact search is at least 0.95', (t) => {
  const dir = tempDir(t);
  const data = vectors(2000, 32, 3);
  const hnsw = HnswIndex.create(join(dir, 'h'), 32, params);
  const flat = FlatIndex.create(join(dir, 'f'), 32);
  data.forEach((v, i) => {
    hnsw.upsert(i, v);
    flat.upsert(i, v);
  });
  let found = 0;
  const queries = vectors(50, 32, 99);
  for (const q of queries) {
    const truth = new Set(flat.search(q, 10).map((h) => h.id));
    found += hnsw.search(q, 10, { ef: 200 }).filter((h) => truth.has(h.id)).length;
  }
  assert.ok(found / 500 >= 0.95, `recall ${found / 500}`);
});
