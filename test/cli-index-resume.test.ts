import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import BetterSqlite3 from 'better-sqlite3';
import { modelSlug } from '../engine/library/paths.ts';
import { tempDir, tinyClip, writeImages } from './helpers/library-fixtures.ts';
import { runCli, startCli } from './helpers/run-cli.ts';

function countRows(dbFile: string): number {
  if (!existsSync(dbFile)) return 0;
  const db = new BetterSqlite3(dbFile, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) FROM images').pluck().get() as number) ?? 0;
  } catch {
    return 0; // the table may not exist yet
  } finally {
    db.close();
  }
}

test('index killed with SIGKILL mid-run resumes without duplicates or losses', async (t) => {
  const dir = tempDir(t, 'visualref-resume-');
  const images = join(dir, 'images');
  const total = 400;
  await writeImages(images, total);
  const data = join(dir, 'data');
  const dbFile = join(data, modelSlug(tinyClip), 'library.db');
  const args = ['index', images, '--model', tinyClip, '--data', data, '--batch', '4'];

  const first = startCli(args);
  let committed = 0;
  for (let i = 0; i < 3000 && committed === 0; i++) {
    await sleep(10);
    committed = countRows(dbFile);
  }
  first.child.kill('SIGKILL');
  const killed = await first.done;
  assert.equal(killed.signal, 'SIGKILL');
  const atKill = countRows(dbFile);
  assert.ok(atKill > 0 && atKill < total, `killed mid-run (${atKill} of ${total} rows committed)`);

  // The rows committed before the kill keep their ids.
  const snapshot = new BetterSqlite3(dbFile, { readonly: true });
  const before = snapshot.prepare('SELECT id, rel_path FROM images ORDER BY id').all() as { id: number; rel_path: string }[];
  snapshot.close();

  const second = await runCli(args);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, new RegExp(`${total} image files; ${total - before.length} added, 0 updated, ${before.length} unchanged, 0 removed, 0 skipped`));

  const db = new BetterSqlite3(dbFile, { readonly: true });
  const rows = db.prepare('SELECT id, rel_path, status FROM images ORDER BY id').all() as { id: number; rel_path: string; status: string }[];
  db.close();
  assert.equal(rows.length, total);
  assert.equal(new Set(rows.map((r) => r.rel_path)).size, total, 'no path twice');
  assert.ok(rows.every((r) => r.status === 'indexed'));
  for (const row of before) assert.equal(rows.find((r) => r.rel_path === row.rel_path)!.id, row.id);

  const status = await runCli(['status', '--json', '--data', data]);
  assert.equal(status.code, 0, status.stderr);
  const parsed = JSON.parse(status.stdout) as { images: number; skipped: number };
  assert.deepEqual([parsed.images, parsed.skipped], [total, 0]);

  // Every image is searchable: each finds itself first.
  for (const id of [1, before.length, total]) {
    const hits = await runCli(['search', '--image', String(id), '--k', '1', '--json', '--data', data]);
    assert.equal(hits.code, 0, hits.stderr);
    assert.equal((JSON.parse(hits.stdout) as { id: number }[])[0].id, id);
  }
});
