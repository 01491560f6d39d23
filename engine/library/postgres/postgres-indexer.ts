// Indexing a folder into the postgres backend, with the embedded indexer's guarantees: the same scan,
// diff and decode-ahead pipeline (engine/library/indexer.ts), each batch written in one transaction
// of idempotent upserts keyed by path. A run killed at any moment is finished by the next one:
// committed batches are never redone, an uncommitted one is rolled back by the server and redone,
// and no path is ever stored twice.
import { resolve } from 'node:path';
import type pg from 'pg';
import type { FileState, ImageStatus } from '../../store/image-store.ts';
import { isUnder, prepareFile, type IndexProgress, type IndexReport, type IndexRunOptions, type Prepared, type WorkItem } from '../indexer.ts';
import type { SkippedFile } from '../library.ts';
import { scanFolder } from '../scan.ts';
import type { PostgresLibrary } from './postgres-library.ts';
import { toVectorText } from './vector-text.ts';

export interface Row {
  relPath: string;
  size: number;
  mtimeMs: number;
  hash: string | null;
  width: number | null;
  height: number | null;
  status: ImageStatus;
  reason: string | null;
  embedding: string | null;
}

/** Inserts or rewrites rows by path in one statement; a rewrite raises the row's version. */
export async function upsertRows(db: pg.PoolClient | pg.Pool, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const now = Date.now();
  await db.query(
    `INSERT INTO images (rel_path, size, mtime_ms, hash, width, height, status, reason, embedding, updated_at)
     SELECT u.rel_path, u.size, u.mtime_ms, u.hash, u.width, u.height, u.status, u.reason, u.embedding::vector, $10
       FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::text[], $5::int[], $6::int[], $7::text[], $8::text[], $9::text[])
         AS u(rel_path, size, mtime_ms, hash, width, height, status, reason, embedding)
     ON CONFLICT (rel_path) DO UPDATE SET
       size = excluded.size, mtime_ms = excluded.mtime_ms, hash = excluded.hash, width = excluded.width,
       height = excluded.height, status = excluded.status, reason = excluded.reason,
       embedding = excluded.embedding, updated_at = excluded.updated_at, version = images.version + 1`,
    [
      rows.map((r) => r.relPath),
      rows.map((r) => r.size),
      rows.map((r) => r.mtimeMs),
      rows.map((r) => r.hash),
      rows.map((r) => r.width),
      rows.map((r) => r.height),
      rows.map((r) => r.status),
      rows.map((r) => r.reason),
      rows.map((r) => r.embedding),
      now,
    ],
  );
}

export async function inTransaction(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await fn(client);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

async function fileStates(pool: pg.Pool): Promise<Map<string, FileState>> {
  const result = await pool.query<{ id: string; rel_path: string; size: string; mtime_ms: number; hash: string | null; status: ImageStatus }>(
    'SELECT id, rel_path, size, mtime_ms, hash, status FROM images',
  );
  return new Map(result.rows.map((r) => [r.rel_path, { id: Number(r.id), size: Number(r.size), mtimeMs: r.mtime_ms, hash: r.hash, status: r.status }]));
}

export async function indexFolderIntoPostgres(library: PostgresLibrary, options: IndexRunOptions): Promise<IndexReport> {
  const started = performance.now();
  const settings = library.indexConfig.indexer;
  const batchSize = options.batchSize ?? settings.batchSize;
  const decodeAhead = Math.max(options.decodeAhead ?? settings.decodeAhead, batchSize);
  const root = resolve(options.folder);
  const pool = library.pool;

  await library.setRoot(root);
  const progress: IndexProgress = { phase: 'scan', total: 0, done: 0, indexed: 0, skipped: 0, filesPerSecond: 0, etaSeconds: null };
  options.onProgress?.({ ...progress });

  const scan = await scanFolder(root, settings.extensions);
  const unreadableFolders: SkippedFile[] = scan.problems.filter((p) => !p.isImage).map((p) => ({ path: p.relPath, reason: p.reason }));
  const states = await fileStates(pool);
  const seen = new Set<string>();
  const work: WorkItem[] = [];
  let unchanged = 0;
  for (const file of scan.files) {
    seen.add(file.relPath);
    const previous = states.get(file.relPath);
    if (previous && previous.size === file.size && previous.mtimeMs === file.mtimeMs) unchanged++;
    else work.push({ file, previous });
  }
  const report: IndexReport = {
    root,
    scanned: scan.files.length + scan.problems.filter((p) => p.isImage).length,
    added: 0,
    updated: 0,
    unchanged,
    removed: 0,
    skipped: 0,
    skippedFiles: [],
    unreadableFolders,
    seconds: 0,
    aborted: false,
  };
  const skip = (path: string, reason: string) => {
    report.skipped++;
    report.skippedFiles.push({ path, reason });
  };

  // Files that look like images but cannot even be stat'ed (dangling symlinks, vanished entries).
  const statRows: Row[] = [];
  for (const problem of scan.problems.filter((p) => p.isImage)) {
    seen.add(problem.relPath);
    const previous = states.get(problem.relPath);
    skip(problem.relPath, problem.reason);
    if (previous?.status === 'skipped' && previous.size === -1) continue;
    statRows.push({ relPath: problem.relPath, size: -1, mtimeMs: 0, hash: null, width: null, height: null, status: 'skipped', reason: problem.reason, embedding: null });
    if (previous) report.updated++;
    else report.added++;
  }
  await upsertRows(pool, statRows);

  // Records whose file is gone, except under folders that could not be read this time.
  const unreadable = unreadableFolders.map((f) => f.path);
  const gone = [...states].filter(([relPath]) => !seen.has(relPath) && !isUnder(relPath, unreadable)).map(([, s]) => s.id);
  if (gone.length) await pool.query('DELETE FROM images WHERE id = ANY($1::bigint[])', [gone]);
  report.removed = gone.length;

  progress.phase = 'index';
  progress.total = work.length;
  options.onProgress?.({ ...progress });
  const runtime = work.length ? await library.runtime() : undefined;
  const indexStarted = performance.now();

  // Decoding runs up to `decodeAhead` files ahead of the encoder, in file order.
  const pending: Promise<Prepared>[] = [];
  let next = 0;
  const fill = () => {
    while (runtime && pending.length < decodeAhead && next < work.length) pending.push(prepareFile(work[next++], runtime, settings.maxPixels));
  };
  fill();
  while (pending.length > 0) {
    if (options.signal?.aborted) {
      report.aborted = true;
      break;
    }
    const batch: Prepared[] = [];
    while (batch.length < batchSize && pending.length > 0) {
      batch.push(await pending.shift()!);
      fill();
    }
    const ok = batch.filter((p) => p.kind === 'ok');
    const vectors = ok.length ? await runtime!.encodeImages(ok.map((p) => p.pixels)) : [];
    const rows: Row[] = [];
    const touched: { id: number; size: number; mtimeMs: number }[] = [];
    let indexed = 0;
    for (const p of batch) {
      const { file, previous } = p.item;
      if (p.kind === 'unchanged') {
        touched.push({ id: previous!.id, size: file.size, mtimeMs: file.mtimeMs });
        report.unchanged++;
        continue;
      }
      if (previous) report.updated++;
      else report.added++;
      if (p.kind === 'ok') {
        rows.push({ relPath: file.relPath, size: file.size, mtimeMs: file.mtimeMs, hash: p.hash, width: p.width, height: p.height, status: 'indexed', reason: null, embedding: toVectorText(vectors[ok.indexOf(p)]) });
        indexed++;
      } else {
        rows.push({ relPath: file.relPath, size: file.size, mtimeMs: file.mtimeMs, hash: p.hash, width: null, height: null, status: 'skipped', reason: p.reason, embedding: null });
        skip(file.relPath, p.reason);
      }
    }
    await inTransaction(pool, async (client) => {
      await upsertRows(client, rows);
      if (touched.length) {
        await client.query(
          'UPDATE images SET size = u.size, mtime_ms = u.mtime_ms FROM unnest($1::bigint[], $2::bigint[], $3::float8[]) AS u(id, size, mtime_ms) WHERE images.id = u.id',
          [touched.map((t) => t.id), touched.map((t) => t.size), touched.map((t) => t.mtimeMs)],
        );
      }
    });
    progress.done += batch.length;
    progress.indexed += indexed;
    progress.skipped += rows.length - indexed;
    const elapsed = (performance.now() - indexStarted) / 1000;
    progress.filesPerSecond = elapsed > 0 ? progress.done / elapsed : 0;
    progress.etaSeconds = progress.filesPerSecond > 0 ? (progress.total - progress.done) / progress.filesPerSecond : null;
    options.onProgress?.({ ...progress });
  }
  // Let files still being decoded finish before returning (their results are dropped).
  await Promise.all(pending);
  report.seconds = (performance.now() - started) / 1000;
  progress.phase = 'done';
  options.onProgress?.({ ...progress });
  return report;
}
