// The postgres backend's tables, created and upgraded by numbered migrations applied on open, in one
// transaction under an advisory lock so that processes opening the library together migrate it once.
// A database whose schema is newer than this code is refused: nothing is ever migrated down.
import type pg from 'pg';
import type { HnswParams } from '../../index/config.ts';
import { redactUrl } from './connection.ts';

export interface SchemaParams {
  model: string;
  dim: number;
  hnsw: HnswParams;
}

/** Migration n (1-based) brings the schema from version n-1 to n. Never edit one that has shipped. */
const migrations: ((p: SchemaParams) => string)[] = [
  (p) => `
    CREATE TABLE images (
      id bigserial PRIMARY KEY,
      rel_path text NOT NULL UNIQUE,
      size bigint NOT NULL,
      mtime_ms double precision NOT NULL,
      hash text,
      width integer,
      height integer,
      status text NOT NULL CHECK (status IN ('indexed', 'skipped')),
      reason text,
      -- Raised by every rewrite of the row, so caches elsewhere can tell a changed image.
      version bigint NOT NULL DEFAULT 1,
      updated_at bigint NOT NULL,
      embedding vector(${p.dim}),
      CHECK ((status = 'indexed') = (embedding IS NOT NULL))
    );
    CREATE INDEX images_embedding_hnsw ON images
      USING hnsw (embedding vector_cosine_ops) WITH (m = ${p.hnsw.m}, ef_construction = ${p.hnsw.efConstruction});`,
];

export const schemaVersion = migrations.length;

/** Key of the advisory lock taken while migrating (any constant shared by all visualref processes). */
const migrationLock = 7_421_021;

export class SchemaTooNewError extends Error {}

/** Applies the missing migrations; a new library records its model and dimension with them. */
export async function migrate(pool: pg.Pool, url: string, params: () => Promise<SchemaParams>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLock]);
    await client.query('CREATE TABLE IF NOT EXISTS visualref_meta (key text PRIMARY KEY, value text NOT NULL)');
    const row = await client.query<{ value: string }>("SELECT value FROM visualref_meta WHERE key = 'schema_version'");
    const current = row.rows.length ? Number(row.rows[0].value) : 0;
    if (current > schemaVersion) {
      throw new SchemaTooNewError(
        `the database ${redactUrl(url)} holds a visualref schema of version ${current}, newer than this visualref's ${schemaVersion}; upgrade visualref (schemas are never migrated down)`,
      );
    }
    if (current < schemaVersion) {
      const p = await params();
      for (let version = current + 1; version <= schemaVersion; version++) await client.query(migrations[version - 1](p));
      if (current === 0) {
        await setMeta(client, 'model', p.model);
        await setMeta(client, 'dim', String(p.dim));
      }
      await client.query(
        "INSERT INTO visualref_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [String(schemaVersion)],
      );
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export async function getMeta(db: pg.Pool | pg.PoolClient, key: string): Promise<string | undefined> {
  const result = await db.query<{ value: string }>('SELECT value FROM visualref_meta WHERE key = $1', [key]);
  return result.rows[0]?.value;
}

export async function setMeta(db: pg.Pool | pg.PoolClient, key: string, value: string): Promise<void> {
  await db.query('INSERT INTO visualref_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
}
