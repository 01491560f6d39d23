// The images table: one row per file found under the library's root, indexed or skipped, with its
// normalised vector. Ids come from AUTOINCREMENT and are never reused or shifted. The vector BLOBs make
// the database the source of truth; the vector index file is a cache rebuilt from it when needed.
import type { Database } from './database.ts';
import { ensureSchema } from './database.ts';
import { blobToVector, vectorToBlob } from './vector-blob.ts';

const migrations = [
  `CREATE TABLE library_meta (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL
   );
   CREATE TABLE images (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     rel_path TEXT NOT NULL UNIQUE,
     size INTEGER NOT NULL,
     mtime_ms REAL NOT NULL,
     hash TEXT,
     width INTEGER,
     height INTEGER,
     status TEXT NOT NULL CHECK (status IN ('indexed', 'skipped')),
     reason TEXT,
     vector BLOB,
     vector_seq INTEGER NOT NULL DEFAULT 0,
     updated_at INTEGER NOT NULL,
     CHECK ((status = 'indexed') = (vector IS NOT NULL))
   );
   CREATE INDEX images_status ON images (status);
   CREATE INDEX images_vector_seq ON images (vector_seq);`,
];

export type ImageStatus = 'indexed' | 'skipped';

export interface ImageRecord {
  id: number;
  /** Path relative to the library root, with forward slashes. */
  relPath: string;
  size: number;
  mtimeMs: number;
  hash: string | null;
  width: number | null;
  height: number | null;
  status: ImageStatus;
  reason: string | null;
  updatedAt: number;
}

/** What a scan needs to tell whether a file changed. */
export interface FileState {
  id: number;
  size: number;
  mtimeMs: number;
  hash: string | null;
  status: ImageStatus;
}

export type ImageWrite =
  | { relPath: string; size: number; mtimeMs: number; hash: string; width: number; height: number; status: 'indexed'; vector: Float32Array }
  | { relPath: string; size: number; mtimeMs: number; hash: string | null; width?: number; height?: number; status: 'skipped'; reason: string };

interface ImageRow {
  id: number;
  rel_path: string;
  size: number;
  mtime_ms: number;
  hash: string | null;
  width: number | null;
  height: number | null;
  status: ImageStatus;
  reason: string | null;
  updated_at: number;
}

const recordColumns = 'id, rel_path, size, mtime_ms, hash, width, height, status, reason, updated_at';

function toRecord(row: ImageRow): ImageRecord {
  return {
    id: row.id,
    relPath: row.rel_path,
    size: row.size,
    mtimeMs: row.mtime_ms,
    hash: row.hash,
    width: row.width,
    height: row.height,
    status: row.status,
    reason: row.reason,
    updatedAt: row.updated_at,
  };
}

export class ImageStore {
  private seq: number;
  private readonly statements;

  constructor(
    readonly db: Database,
    private readonly dim: () => number,
  ) {
    ensureSchema(db, 'images', migrations);
    this.statements = {
      getMeta: db.prepare('SELECT value FROM library_meta WHERE key = ?').pluck(),
      setMeta: db.prepare('INSERT INTO library_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      get: db.prepare(`SELECT ${recordColumns} FROM images WHERE id = ?`),
      byPath: db.prepare(`SELECT ${recordColumns} FROM images WHERE rel_path = ?`),
      list: db.prepare(`SELECT ${recordColumns} FROM images ORDER BY id`),
      listByStatus: db.prepare(`SELECT ${recordColumns} FROM images WHERE status = ? ORDER BY id`),
      states: db.prepare('SELECT id, rel_path, size, mtime_ms, hash, status FROM images'),
      vector: db.prepare("SELECT vector FROM images WHERE id = ? AND status = 'indexed'").pluck(),
      indexedIds: db.prepare("SELECT id FROM images WHERE status = 'indexed'").pluck(),
      vectorsAfter: db.prepare("SELECT id, vector FROM images WHERE status = 'indexed' AND vector_seq > ?"),
      maxSeq: db.prepare('SELECT coalesce(max(vector_seq), 0) FROM images').pluck(),
      counts: db.prepare('SELECT status, count(*) AS n FROM images GROUP BY status'),
      // UPDATE first, INSERT when no row has the path: an INSERT … ON CONFLICT would consume an
      // AUTOINCREMENT value even when it updates, leaving gaps in the ids.
      update: db.prepare(`UPDATE images SET size = @size, mtime_ms = @mtimeMs, hash = @hash, width = @width, height = @height,
          status = @status, reason = @reason, vector = @vector, vector_seq = @seq, updated_at = @now
        WHERE rel_path = @relPath RETURNING id`).pluck(),
      insert: db.prepare(`INSERT INTO images (rel_path, size, mtime_ms, hash, width, height, status, reason, vector, vector_seq, updated_at)
        VALUES (@relPath, @size, @mtimeMs, @hash, @width, @height, @status, @reason, @vector, @seq, @now)
        RETURNING id`).pluck(),
      touch: db.prepare('UPDATE images SET size = ?, mtime_ms = ?, updated_at = ? WHERE id = ?'),
      delete: db.prepare('DELETE FROM images WHERE id = ?'),
    };
    this.seq = Math.max(Number(this.getMeta('vector_seq') ?? 0), this.statements.maxSeq.get() as number);
  }

  getMeta(key: string): string | undefined {
    return this.statements.getMeta.get(key) as string | undefined;
  }

  setMeta(key: string, value: string): void {
    this.statements.setMeta.run(key, value);
  }

  /** Runs `fn` in one transaction: all of its writes land, or none. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  get(id: number): ImageRecord | undefined {
    const row = this.statements.get.get(id) as ImageRow | undefined;
    return row && toRecord(row);
  }

  byPath(relPath: string): ImageRecord | undefined {
    const row = this.statements.byPath.get(relPath) as ImageRow | undefined;
    return row && toRecord(row);
  }

  list(status?: ImageStatus): ImageRecord[] {
    const rows = (status ? this.statements.listByStatus.all(status) : this.statements.list.all()) as ImageRow[];
    return rows.map(toRecord);
  }

  /** rel_path → state, for diffing a scan against what is stored. */
  fileStates(): Map<string, FileState> {
    const states = new Map<string, FileState>();
    for (const row of this.statements.states.iterate() as IterableIterator<ImageRow>) {
      states.set(row.rel_path, { id: row.id, size: row.size, mtimeMs: row.mtime_ms, hash: row.hash, status: row.status });
    }
    return states;
  }

  vector(id: number): Float32Array | undefined {
    const blob = this.statements.vector.get(id) as Buffer | undefined;
    return blob && blobToVector(blob, this.dim());
  }

  indexedIds(): number[] {
    return this.statements.indexedIds.all() as number[];
  }

  /** Indexed rows whose vector was written after sequence number `seq`. */
  *vectorsWrittenAfter(seq: number): IterableIterator<{ id: number; vector: Float32Array }> {
    for (const row of this.statements.vectorsAfter.iterate(seq) as IterableIterator<{ id: number; vector: Buffer }>) {
      yield { id: row.id, vector: blobToVector(row.vector, this.dim()) };
    }
  }

  /** The sequence number of the latest vector write. */
  get vectorSeq(): number {
    return this.seq;
  }

  counts(): { indexed: number; skipped: number } {
    const counts = { indexed: 0, skipped: 0 };
    for (const row of this.statements.counts.all() as { status: ImageStatus; n: number }[]) counts[row.status] = row.n;
    return counts;
  }

  /** Inserts or replaces the row of `write.relPath` (keeping its id); returns the id. Call inside a transaction. */
  write(write: ImageWrite): number {
    const indexed = write.status === 'indexed';
    if (indexed && write.vector.length !== this.dim()) {
      throw new Error(`vector of length ${write.vector.length} for ${write.relPath}, library is ${this.dim()}-d`);
    }
    const seq = indexed ? ++this.seq : 0;
    const row = {
      relPath: write.relPath,
      size: write.size,
      mtimeMs: write.mtimeMs,
      hash: write.hash,
      width: write.width ?? null,
      height: write.height ?? null,
      status: write.status,
      reason: indexed ? null : write.reason,
      vector: indexed ? vectorToBlob(write.vector) : null,
      seq,
      now: Date.now(),
    };
    const id = (this.statements.update.get(row) ?? this.statements.insert.get(row)) as number;
    if (indexed) this.setMeta('vector_seq', String(this.seq));
    return id;
  }

  /** Records a new size and mtime for a file whose content (hash) did not change. */
  touch(id: number, size: number, mtimeMs: number): void {
    this.statements.touch.run(size, mtimeMs, Date.now(), id);
  }

  delete(id: number): void {
    this.statements.delete.run(id);
  }
}
