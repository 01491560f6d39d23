// Stored captions of library images, and the caption-all jobs that make them, in the library's SQLite
// database. A caption is keyed by image, captioner and prompt version, and remembers the hash of the
// image file it describes, so a changed file is captioned again and never described by a stale text.
import type { Database } from '../store/database.ts';
import { ensureSchema } from '../store/database.ts';

const migrations = [
  `CREATE TABLE captions (
     image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
     captioner TEXT NOT NULL,
     prompt_version TEXT NOT NULL,
     text TEXT NOT NULL,
     model TEXT NOT NULL,
     image_hash TEXT,
     latency_ms INTEGER NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (image_id, captioner, prompt_version)
   );
   CREATE TABLE caption_failures (
     image_id INTEGER NOT NULL REFERENCES images (id) ON DELETE CASCADE,
     captioner TEXT NOT NULL,
     prompt_version TEXT NOT NULL,
     image_hash TEXT,
     error TEXT NOT NULL,
     created_at TEXT NOT NULL,
     PRIMARY KEY (image_id, captioner, prompt_version)
   );
   CREATE TABLE caption_jobs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     captioner TEXT NOT NULL,
     prompt TEXT NOT NULL,
     prompt_version TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('running', 'done', 'cancelled', 'failed', 'interrupted')),
     pid INTEGER NOT NULL,
     total INTEGER NOT NULL DEFAULT 0,
     done INTEGER NOT NULL DEFAULT 0,
     failed INTEGER NOT NULL DEFAULT 0,
     cancel_requested INTEGER NOT NULL DEFAULT 0,
     error TEXT,
     started_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE INDEX caption_jobs_state ON caption_jobs (state);`,
];

export interface StoredCaption {
  imageId: number;
  captioner: string;
  promptVersion: string;
  text: string;
  model: string;
  createdAt: string;
}

export type JobState = 'running' | 'done' | 'cancelled' | 'failed' | 'interrupted';

export interface CaptionJob {
  id: number;
  captioner: string;
  prompt: string;
  promptVersion: string;
  state: JobState;
  pid: number;
  total: number;
  done: number;
  failed: number;
  cancelRequested: boolean;
  error: string | null;
  startedAt: string;
  updatedAt: string;
}

interface JobRow {
  id: number;
  captioner: string;
  prompt: string;
  prompt_version: string;
  state: JobState;
  pid: number;
  total: number;
  done: number;
  failed: number;
  cancel_requested: number;
  error: string | null;
  started_at: string;
  updated_at: string;
}

const toJob = (r: JobRow): CaptionJob => ({
  id: r.id,
  captioner: r.captioner,
  prompt: r.prompt,
  promptVersion: r.prompt_version,
  state: r.state,
  pid: r.pid,
  total: r.total,
  done: r.done,
  failed: r.failed,
  cancelRequested: r.cancel_requested === 1,
  error: r.error,
  startedAt: r.started_at,
  updatedAt: r.updated_at,
});

const now = () => new Date().toISOString();

/** Creates the caption tables when missing (idempotent). */
export function ensureCaptionSchema(db: Database): void {
  ensureSchema(db, 'captions', migrations);
}

/** Where a captioner's texts go: which captioner, with which prompt version. */
export interface CaptionKey {
  captioner: string;
  promptVersion: string;
}

export class CaptionStore {
  constructor(readonly db: Database) {
    ensureCaptionSchema(db);
  }

  /** Indexed images still to caption with `key`: no caption for their current file, no recorded failure. */
  pendingIds(key: CaptionKey): number[] {
    const rows = this.db
      .prepare(
        `SELECT i.id FROM images i
         WHERE i.status = 'indexed'
           AND NOT EXISTS (SELECT 1 FROM captions c WHERE c.image_id = i.id AND c.captioner = @captioner
                           AND c.prompt_version = @promptVersion AND c.image_hash IS i.hash)
           AND NOT EXISTS (SELECT 1 FROM caption_failures f WHERE f.image_id = i.id AND f.captioner = @captioner
                           AND f.prompt_version = @promptVersion AND f.image_hash IS i.hash)
         ORDER BY i.id`,
      )
      .all(key) as { id: number }[];
    return rows.map((r) => r.id);
  }

  /** Stores a caption (replacing one of an older file) and counts it in the job, in one transaction. */
  saveCaption(key: CaptionKey, imageId: number, caption: { text: string; model: string; latencyMs: number }, jobId?: number): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO captions (image_id, captioner, prompt_version, text, model, image_hash, latency_ms, created_at)
           VALUES (@imageId, @captioner, @promptVersion, @text, @model, (SELECT hash FROM images WHERE id = @imageId), @latencyMs, @createdAt)
           ON CONFLICT (image_id, captioner, prompt_version) DO UPDATE SET text = excluded.text, model = excluded.model,
             image_hash = excluded.image_hash, latency_ms = excluded.latency_ms, created_at = excluded.created_at`,
        )
        .run({ ...key, imageId, ...caption, latencyMs: Math.round(caption.latencyMs), createdAt: now() });
      this.db.prepare('DELETE FROM caption_failures WHERE image_id = ? AND captioner = ? AND prompt_version = ?').run(imageId, key.captioner, key.promptVersion);
      if (jobId !== undefined) this.db.prepare('UPDATE caption_jobs SET done = done + 1, updated_at = ? WHERE id = ?').run(now(), jobId);
    })();
  }

  /** Remembers that an image could not be captioned (a bad file), so re-runs skip it until it changes. */
  saveFailure(key: CaptionKey, imageId: number, error: string, jobId?: number): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO caption_failures (image_id, captioner, prompt_version, image_hash, error, created_at)
           VALUES (@imageId, @captioner, @promptVersion, (SELECT hash FROM images WHERE id = @imageId), @error, @createdAt)
           ON CONFLICT (image_id, captioner, prompt_version) DO UPDATE SET image_hash = excluded.image_hash,
             error = excluded.error, created_at = excluded.created_at`,
        )
        .run({ ...key, imageId, error, createdAt: now() });
      if (jobId !== undefined) this.db.prepare('UPDATE caption_jobs SET failed = failed + 1, updated_at = ? WHERE id = ?').run(now(), jobId);
    })();
  }

  /** Forgets recorded failures of `key`, so that the next run tries those images again. */
  clearFailures(key: CaptionKey): number {
    return this.db.prepare('DELETE FROM caption_failures WHERE captioner = ? AND prompt_version = ?').run(key.captioner, key.promptVersion).changes;
  }

  /**
   * Captions of the given images, newest first per image, optionally of one captioner and prompt
   * version. Captions of an image file that has since changed are left out.
   */
  captionsFor(imageIds: readonly number[], filter: Partial<CaptionKey> = {}): Map<number, StoredCaption[]> {
    const result = new Map<number, StoredCaption[]>();
    if (imageIds.length === 0) return result;
    const statement = this.db.prepare(
      `SELECT c.image_id AS imageId, c.captioner, c.prompt_version AS promptVersion, c.text, c.model, c.created_at AS createdAt
       FROM captions c JOIN images i ON i.id = c.image_id AND c.image_hash IS i.hash
       WHERE c.image_id = @id AND (@captioner IS NULL OR c.captioner = @captioner)
         AND (@promptVersion IS NULL OR c.prompt_version = @promptVersion)
       ORDER BY c.created_at DESC, c.rowid DESC`,
    );
    for (const id of new Set(imageIds)) {
      const rows = statement.all({ id, captioner: filter.captioner ?? null, promptVersion: filter.promptVersion ?? null }) as StoredCaption[];
      if (rows.length) result.set(id, rows);
    }
    return result;
  }

  /** Stored caption texts, newest first, leaving out one captioner's own (for mining phrases). */
  allTexts(options: { excludeCaptioner?: string; limit?: number } = {}): string[] {
    const rows = this.db
      .prepare('SELECT text FROM captions WHERE captioner IS NOT @exclude ORDER BY created_at DESC LIMIT @limit')
      .all({ exclude: options.excludeCaptioner ?? null, limit: options.limit ?? 50_000 }) as { text: string }[];
    return rows.map((r) => r.text);
  }

  countCaptions(key: CaptionKey): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM captions WHERE captioner = ? AND prompt_version = ?').get(key.captioner, key.promptVersion) as { n: number }).n;
  }

  // Jobs.

  startJob(key: CaptionKey & { prompt: string }, total: number): CaptionJob {
    const stamp = now();
    const id = this.db
      .prepare(
        `INSERT INTO caption_jobs (captioner, prompt, prompt_version, state, pid, total, started_at, updated_at)
         VALUES (?, ?, ?, 'running', ?, ?, ?, ?)`,
      )
      .run(key.captioner, key.prompt, key.promptVersion, process.pid, total, stamp, stamp).lastInsertRowid;
    return this.job(Number(id)) as CaptionJob;
  }

  job(id: number): CaptionJob | undefined {
    const row = this.db.prepare('SELECT * FROM caption_jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row && toJob(row);
  }

  jobs(state?: JobState): CaptionJob[] {
    const rows = state
      ? (this.db.prepare('SELECT * FROM caption_jobs WHERE state = ? ORDER BY id').all(state) as JobRow[])
      : (this.db.prepare('SELECT * FROM caption_jobs ORDER BY id').all() as JobRow[]);
    return rows.map(toJob);
  }

  finishJob(id: number, state: Exclude<JobState, 'running'>, error?: string): void {
    this.db.prepare('UPDATE caption_jobs SET state = ?, error = ?, updated_at = ? WHERE id = ?').run(state, error ?? null, now(), id);
  }

  requestCancel(id: number): void {
    this.db.prepare('UPDATE caption_jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?').run(now(), id);
  }

  cancelRequested(id: number): boolean {
    return (this.db.prepare('SELECT cancel_requested AS c FROM caption_jobs WHERE id = ?').get(id) as { c: number } | undefined)?.c === 1;
  }
}

/**
 * For GRF: the stored captions of `imageIds` (newest first per image), optionally of one captioner
 * and prompt version. Images without a caption are absent from the map.
 */
export function readCaptions(db: Database, imageIds: readonly number[], filter: Partial<CaptionKey> = {}): Map<number, StoredCaption[]> {
  return new CaptionStore(db).captionsFor(imageIds, filter);
}

/** For GRF: the newest stored caption text of each image that has one. */
export function latestCaptionTexts(db: Database, imageIds: readonly number[], filter: Partial<CaptionKey> = {}): Map<number, string> {
  const texts = new Map<number, string>();
  for (const [id, captions] of readCaptions(db, imageIds, filter)) texts.set(id, captions[0].text);
  return texts;
}
