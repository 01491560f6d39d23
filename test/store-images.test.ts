import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureSchema, openDatabase } from '../engine/store/database.ts';
import { ImageStore } from '../engine/store/image-store.ts';

function openStore(t: { after(fn: () => void): void }, dim = 3) {
  const dir = mkdtempSync(join(tmpdir(), 'visualref-store-'));
  const file = join(dir, 'library.db');
  const db = openDatabase(file);
  t.after(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { db, file, store: new ImageStore(db, () => dim) };
}

const indexed = (relPath: string, vector: number[]) =>
  ({ relPath, size: 10, mtimeMs: 1, hash: `h-${relPath}`, width: 4, height: 3, status: 'indexed', vector: Float32Array.from(vector) }) as const;

test('ids are never reused or shifted; rewriting a path keeps its id', (t) => {
  const { store, db } = openStore(t);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  const a = store.write(indexed('a.jpg', [1, 0, 0]));
  const b = store.write(indexed('b.jpg', [0, 1, 0]));
  const c = store.write({ relPath: 'c.jpg', size: 0, mtimeMs: 1, hash: null, status: 'skipped', reason: 'empty file' });
  assert.deepEqual([a, b, c], [1, 2, 3]);
  store.delete(c);
  const d = store.write(indexed('d.jpg', [0, 0, 1]));
  assert.equal(d, 4, 'the id of a deleted row is not given again');
  assert.equal(store.write(indexed('a.jpg', [0, 0, 1])), a, 'a changed file keeps its id');
  assert.equal(store.write(indexed('e.jpg', [0, 0, 1])), 5, 'rewriting a row does not use up an id');
  assert.deepEqual(Array.from(store.vector(a)!), [0, 0, 1]);
  assert.deepEqual(store.counts(), { indexed: 4, skipped: 0 });
  assert.deepEqual(store.list().map((r) => r.relPath), ['a.jpg', 'b.jpg', 'd.jpg', 'e.jpg']);
});

test('vectors round-trip exactly and sequence numbers tell what was written after a point', (t) => {
  const { store, file, db } = openStore(t);
  const v = Float32Array.of(0.1, -0.2, 0.3);
  const id = store.write({ ...indexed('x.png', [0, 0, 0]), vector: v });
  assert.deepEqual(store.vector(id), v);
  const seqAfterFirst = store.vectorSeq;
  store.write(indexed('y.png', [1, 1, 1]));
  assert.deepEqual([...store.vectorsWrittenAfter(seqAfterFirst)].map((e) => e.id), [2]);
  assert.throws(() => store.write(indexed('z.png', [1, 2])), /length 2/);

  // Failing to become skipped removes the vector; the CHECK constraint holds.
  store.write({ relPath: 'x.png', size: 1, mtimeMs: 2, hash: 'h2', status: 'skipped', reason: 'truncated' });
  assert.equal(store.vector(id), undefined);
  assert.equal(store.get(id)!.reason, 'truncated');

  // Sequence numbers survive reopening even when the newest row is deleted.
  store.delete(2);
  const seq = store.vectorSeq;
  db.close();
  const reopened = new ImageStore(openDatabase(file), () => 3);
  assert.equal(reopened.vectorSeq, seq);
  reopened.write(indexed('w.png', [1, 0, 0]));
  assert.ok(reopened.vectorSeq > seq);
  reopened.db.close();
});

test('a failed transaction leaves nothing behind', (t) => {
  const { store } = openStore(t);
  assert.throws(() =>
    store.transaction(() => {
      store.write(indexed('a.jpg', [1, 0, 0]));
      throw new Error('crash in the middle of a batch');
    }),
  );
  assert.equal(store.byPath('a.jpg'), undefined);
  assert.deepEqual(store.counts(), { indexed: 0, skipped: 0 });
});

test('ensureSchema applies each migration once, in order, and refuses a newer database', (t) => {
  const { db } = openStore(t);
  const migrations = ['CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)', 'ALTER TABLE notes ADD COLUMN author TEXT'];
  ensureSchema(db, 'notes', migrations.slice(0, 1));
  ensureSchema(db, 'notes', migrations);
  ensureSchema(db, 'notes', migrations);
  db.prepare('INSERT INTO notes (text, author) VALUES (?, ?)').run('hello', 'me');
  assert.throws(() => ensureSchema(db, 'notes', migrations.slice(0, 1)), /newer than this program knows/);
});
