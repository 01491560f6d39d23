// The postgres backend beyond the shared contract (test/library-contract.test.ts): errors that name
// the database and what to install, schema versions, writes of one process seen by another at once,
// and an index run killed with SIGKILL that the next run finishes without losing or duplicating rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { PostgresLibrary } from '../engine/library/postgres/postgres-library.ts';
import { indexConfig, tempDir, tinyClip, writeImages } from './helpers/library-fixtures.ts';
import { devDatabaseStartTimeoutMs, startTestDatabase } from './helpers/dev-postgres.ts';
import { runCli, startCli } from './helpers/run-cli.ts';

const slow = { timeout: devDatabaseStartTimeoutMs + 180_000 };

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

test('an unreachable database is named, password hidden, with what to install', async () => {
  await assert.rejects(PostgresLibrary.open({ url: 'postgres://alice:s3cret@127.0.0.1:7588/lib', model: tinyClip }), (err: Error) => {
    assert.match(err.message, /cannot reach the database postgres:\/\/alice:\*\*\*@127\.0\.0\.1:7588\/lib/);
    assert.match(err.message, /pgvector/);
    assert.match(err.message, /npm run db:dev/);
    assert.doesNotMatch(err.message, /s3cret/);
    return true;
  });
});

test('a database without pgvector is refused with what to install', slow, async (t) => {
  const db = await PGlite.create();
  const server = new PGLiteSocketServer({ db, port: 7583, host: '127.0.0.1', maxConnections: 8 });
  await server.start();
  t.after(async () => {
    await server.stop();
    await db.close();
  });
  await assert.rejects(PostgresLibrary.open({ url: 'postgres://bob:hunter2@127.0.0.1:7583/postgres', model: tinyClip }), (err: Error) => {
    assert.match(err.message, /the database postgres:\/\/bob:\*\*\*@127\.0\.0\.1:7583\/postgres has no pgvector/);
    assert.match(err.message, /install .*pgvector/);
    assert.doesNotMatch(err.message, /hunter2/);
    return true;
  });
});

test('writes of one process are seen by another at once; a newer schema is refused, not migrated down', slow, async (t) => {
  const database = await startTestDatabase(t, 7582);
  const images = join(tempDir(t), 'images');
  await writeImages(images, 6);
  // A tiny ef_search: searches asking for more must still get every row they ask for.
  const narrow = indexConfig();
  const server = await PostgresLibrary.open({ url: database.url, model: tinyClip, indexConfig: { ...narrow, hnsw: { ...narrow.hnsw, efSearch: 2 } } });
  const indexer = await PostgresLibrary.open({ url: database.url, model: tinyClip, indexConfig: indexConfig() });
  assert.equal((await server.status()).images, 0);
  await indexer.indexFolder({ folder: images, batchSize: 3 });
  const probe = (await indexer.vector(3))!;
  assert.equal((await server.search(probe, 1))[0].id, 3, 'the serving process finds the new images without a restart');
  assert.equal((await server.status()).images, 6);
  assert.equal((await server.search(probe, 2)).length, 2);
  assert.deepEqual((await server.search(probe, 5, { exclude: new Set([3]) })).map((h) => h.id).sort(), [1, 2, 4, 5, 6]);
  await indexer.close();
  await server.close();

  await query(database.url, "UPDATE visualref_meta SET value = '99' WHERE key = 'schema_version'");
  await assert.rejects(PostgresLibrary.open({ url: database.url, model: tinyClip }), /holds a visualref schema of version 99, newer than this visualref's 1; upgrade visualref \(schemas are never migrated down\)/);
  const [{ n }] = await query<{ n: string }>(database.url, 'SELECT count(*) AS n FROM images');
  assert.equal(Number(n), 6, 'the refused database is left as it was');
});

test('index --db killed with SIGKILL mid-run resumes without duplicates or losses', slow, async (t) => {
  const database = await startTestDatabase(t, 7584);
  const images = join(tempDir(t, 'visualref-pg-resume-'), 'images');
  const total = 120;
  await writeImages(images, total);
  const args = ['index', images, '--model', tinyClip, '--db', database.url, '--batch', '4'];
  const count = async () => Number((await query<{ n: string }>(database.url, 'SELECT count(*) AS n FROM images').catch(() => [{ n: '0' }]))[0].n);

  const first = startCli(args);
  let committed = 0;
  for (let i = 0; i < 6000 && committed === 0; i++) {
    await sleep(20);
    committed = await count();
  }
  first.child.kill('SIGKILL');
  const killed = await first.done;
  assert.equal(killed.signal, 'SIGKILL');
  const before = await query<{ id: string; rel_path: string }>(database.url, 'SELECT id, rel_path FROM images ORDER BY id');
  assert.ok(before.length > 0 && before.length < total, `killed mid-run (${before.length} of ${total} rows committed)`);

  const second = await runCli(args);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, new RegExp(`${total} image files; ${total - before.length} added, 0 updated, ${before.length} unchanged, 0 removed, 0 skipped`));
  const rows = await query<{ id: string; rel_path: string; status: string }>(database.url, 'SELECT id, rel_path, status FROM images ORDER BY id');
  assert.equal(rows.length, total);
  assert.equal(new Set(rows.map((r) => r.rel_path)).size, total, 'no path twice');
  assert.ok(rows.every((r) => r.status === 'indexed'));
  for (const row of before) assert.equal(rows.find((r) => r.rel_path === row.rel_path)!.id, row.id, 'committed rows keep their ids');

  const status = await runCli(['status', '--json', '--db', database.url]);
  assert.equal(status.code, 0, status.stderr);
  assert.equal((JSON.parse(status.stdout) as { images: number }).images, total);
  // Every image is searchable through the CLI: each finds itself first.
  for (const id of [Number(rows[0].id), Number(rows.at(-1)!.id)]) {
    const hits = await runCli(['search', '--image', String(id), '--k', '1', '--json', '--db', database.url]);
    assert.equal(hits.code, 0, hits.stderr);
    assert.equal((JSON.parse(hits.stdout) as { id: number }[])[0].id, id);
  }
});
