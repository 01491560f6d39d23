import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegionStore } from '../engine/regions/region-store.ts';
import { fakeRegions } from './helpers/fake-regions.ts';

const dir = mkdtempSync(join(tmpdir(), 'vr-regions-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function maxError(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function assertImage(store: RegionStore, id: number, dim: number, tolerance: number): void {
  const got = store.get(id);
  const want = fakeRegions(id, dim);
  assert.ok(got, `image ${id} present`);
  assert.equal(got.length, want.length, `image ${id}: all of its regions`);
  got.forEach((r, i) => {
    assert.deepEqual(r.box, want[i].box);
    assert.equal(r.source, 'proposer');
    assert.ok(maxError(r.embedding, want[i].embedding) <= tolerance, `image ${id} region ${i} within ${tolerance}`);
  });
}

for (const [dtype, tolerance] of [['fp16', 1 / 1024], ['int8', 1 / 127]] as const) {
  test(`${dtype} store keeps boxes exactly and embeddings within ${tolerance.toFixed(4)} across reopen`, () => {
    const file = join(dir, `round-${dtype}.bin`);
    const store = RegionStore.open(file, { dim: 32, dtype, label: 'proposer' });
    store.put([0, 1, 2].map((id) => ({ id, regions: fakeRegions(id, 32) })));
    store.close();
    const again = RegionStore.open(file, { dim: 32, dtype, label: 'proposer' });
    assert.equal(again.size, 3);
    for (const id of [0, 1, 2]) assertImage(again, id, 32, tolerance);
    const bytesPerRegion = dtype === 'fp16' ? 20 + 64 : 20 + 4 + 32;
    const payload = fakeRegions(0, 32).length * bytesPerRegion;
    assert.equal(statSync(file).size >= 64 + 3 * (20 + payload + 4), true);
    again.close();
  });
}

test('a later put replaces an image, remove deletes it, compact keeps only live records', () => {
  const file = join(dir, 'replace.bin');
  const store = RegionStore.open(file, { dim: 8, dtype: 'fp16', label: 'windows' });
  store.put([{ id: 5, tag: 0xabcdef01, regions: fakeRegions(5, 8) }, { id: 6, regions: fakeRegions(6, 8) }]);
  assert.equal(store.tagOf(5), 0xabcdef01);
  store.put([{ id: 5, tag: 7, regions: fakeRegions(5, 8, 2) }]);
  assert.equal(store.tagOf(5), 7);
  store.remove([6]);
  assert.equal(store.get(5)?.length, 2);
  assert.equal(store.has(6), false);
  const before = statSync(file).size;
  store.compact();
  assert.ok(statSync(file).size < before);
  assert.equal(store.get(5)?.length, 2);
  store.close();
  const again = RegionStore.open(file, { dim: 8, dtype: 'fp16', label: 'windows' });
  assert.deepEqual(again.ids(), [5]);
  assert.equal(again.get(5)?.length, 2);
  assert.equal(again.tagOf(5), 7, 'the tag survives compaction and reopening');
  again.close();
});

test('a store written for other settings is refused with a message naming them', () => {
  const file = join(dir, 'settings.bin');
  RegionStore.open(file, { dim: 8, dtype: 'fp16', label: 'windows' }).close();
  assert.throws(() => RegionStore.open(file, { dim: 16, dtype: 'fp16', label: 'windows' }), /windows regions of dim 8 \(fp16\)/);
  assert.throws(() => RegionStore.open(file, { dim: 8, dtype: 'fp16', label: 'tokens' }), /delete it/);
  writeFileSync(join(dir, 'junk.bin'), 'not a store at all, just text, long enough to hold a header.........');
  assert.throws(() => RegionStore.open(join(dir, 'junk.bin'), { dim: 8, dtype: 'fp16', label: 'x' }), /not a visualref region store/);
});

test('a record cut anywhere or corrupted at the end is removed on open; earlier images stay whole', () => {
  const file = join(dir, 'torn.bin');
  const store = RegionStore.open(file, { dim: 16, dtype: 'fp16', label: 't' });
  store.put([{ id: 0, regions: fakeRegions(0, 16) }, { id: 1, regions: fakeRegions(1, 16) }]);
  const whole = statSync(file).size;
  store.put([{ id: 1, regions: fakeRegions(1, 16, 3) }, { id: 2, regions: fakeRegions(2, 16) }]);
  const full = statSync(file).size;
  store.close();
  const copy = join(dir, 'torn-copy.bin');
  for (const cut of [whole + 1, whole + 19, whole + 21, whole + 200, full - 5, full - 1]) {
    copyFileSync(file, copy);
    truncateSync(copy, cut);
    const s = RegionStore.open(copy, { dim: 16, dtype: 'fp16', label: 't' });
    assert.equal(s.has(2), false, `cut at ${cut}: image 2 absent`);
    assert.equal(s.has(0), true);
    assert.ok(s.repairedBytes > 0);
    if (cut < whole + 20 + 3 * (20 + 32) + 4) assertImage(s, 1, 16, 1 / 1024);
    else assert.equal(s.get(1)?.length, 3, 'the complete replacement of image 1 stands');
    s.put([{ id: 9, regions: fakeRegions(9, 16) }]);
    s.close();
    const t = RegionStore.open(copy, { dim: 16, dtype: 'fp16', label: 't' });
    assertImage(t, 9, 16, 1 / 1024);
    t.close();
  }
  // A complete-length last record whose bytes never reached the disk (zeros) fails its checksum.
  copyFileSync(file, copy);
  const bytes = readFileSync(copy);
  bytes.fill(0, full - 40, full - 4);
  writeFileSync(copy, bytes);
  const s = RegionStore.open(copy, { dim: 16, dtype: 'fp16', label: 't' });
  assert.equal(s.has(2), false);
  assert.equal(s.get(1)?.length, 3);
  assert.equal(statSync(copy).size, whole + 20 + 3 * (20 + 32) + 4);
  s.close();
});

test('a writer killed mid-write leaves every image either whole or absent', { timeout: 60_000 }, async () => {
  const file = join(dir, 'killed.bin');
  const dim = 256;
  let torn = 0;
  for (let round = 0; round < 3; round++) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'helpers', 'region-store-writer.ts'), file, String(dim)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 150 + 100 * round));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const store = RegionStore.open(file, { dim, dtype: 'fp16', label: 'test' });
    torn += store.repairedBytes > 0 ? 1 : 0;
    const ids = store.ids().sort((a, b) => a - b);
    assert.ok(ids.length > 0, 'the writer got some batches in');
    assert.deepEqual(ids, ids.map((_, i) => i), 'images present form a prefix: none missing in between');
    for (const id of [ids[0], ids[ids.length - 1], ids[Math.floor(ids.length / 2)]]) assertImage(store, id, dim, 1 / 512);
    store.close();
  }
  process.stderr.write(`kill test: ${torn} of 3 kills left a torn tail that was cut off\n`);
});

test('a read-only store sees what a writer appended after refresh()', () => {
  const file = join(dir, 'shared.bin');
  const writer = RegionStore.open(file, { dim: 8, dtype: 'int8', label: 'w' });
  writer.put([{ id: 1, regions: fakeRegions(1, 8) }]);
  const reader = RegionStore.open(file, { dim: 8, dtype: 'int8', label: 'w', readonly: true });
  writer.put([{ id: 2, regions: fakeRegions(2, 8) }]);
  assert.deepEqual(reader.ids(), [1]);
  reader.refresh();
  assert.deepEqual(reader.ids().sort(), [1, 2]);
  assertImage(reader, 2, 8, 1 / 127);
  assert.throws(() => reader.put([{ id: 3, regions: [] }]), /read-only/);
  writer.close();
  reader.close();
});

test('getMatrices reads many images as getMatrix does each; unknown ids are left out, a damaged record is reported', () => {
  const file = join(dir, 'many.bin');
  const store = RegionStore.open(file, { dim: 16, dtype: 'fp16', label: 'many' });
  store.put([1, 2, 3, 4].map((id) => ({ id, regions: fakeRegions(id, 16) })));
  const damaged: number[] = [];
  const many = store.getMatrices([3, 1, 99, 3, 4], (err) => damaged.push(err.imageId));
  assert.deepEqual([...many.keys()], [3, 1, 4]);
  for (const id of [1, 3, 4]) assert.deepEqual(many.get(id), store.getMatrix(id), `image ${id}`);
  assert.equal(damaged.length, 0);
  store.close();
  // Flip one byte inside image 2's record (after the 64-byte header and image 1's record of 20 header
  // bytes, 21 regions × (20 + 16 × 2) bytes and a 4-byte checksum): its checksum no longer matches.
  const bytes = readFileSync(file);
  bytes[64 + (20 + 21 * (20 + 32) + 4) + 100] ^= 0xff;
  writeFileSync(file, bytes);
  const reopened = RegionStore.open(file, { dim: 16, dtype: 'fp16', label: 'many', readonly: true });
  const read = reopened.getMatrices([1, 2, 3], (err) => damaged.push(err.imageId));
  assert.deepEqual([...read.keys()], [1, 3]);
  assert.deepEqual(damaged, [2]);
  reopened.close();
});
