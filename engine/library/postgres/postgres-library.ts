// The postgres backend: the library in a Postgres database with pgvector, one library (one model) per
// database or schema. Nothing lives in the process but a connection pool and the model, so any number
// of processes can serve and index the same library, and each sees the others' writes at once.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type pg from 'pg';
import type { Box, EncoderInfo, ExecutionProvider, RgbImage, SearchHit } from '../../types.ts';
import type { ImageRecord, ImageStatus } from '../../store/image-store.ts';
import { loadIndexConfig, type IndexConfig } from '../../index/config.ts';
import type { IndexReport, IndexRunOptions } from '../indexer.ts';
import type { ImageSource } from '../library.ts';
import type { BackendStatus, LibraryBackend } from '../library-backend.ts';
import { loadModelRuntime, type ModelRuntime, type RuntimeOptions } from '../model-runtime.ts';
import { canonicalModelRef, resolveUnderRoot } from '../paths.ts';
import { maxSearchEf, openPool, redactUrl } from './connection.ts';
import { getMeta, migrate, setMeta } from './schema.ts';
import { fromVectorText, toVectorText } from './vector-text.ts';
import { indexFolderIntoPostgres } from './postgres-indexer.ts';

export interface PostgresLibraryOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Registry name or model folder; default: the model the database already holds. */
  model?: string;
  provider?: ExecutionProvider;
  /** Overrides configs/index.yaml (tests, benchmarks). */
  indexConfig?: IndexConfig;
  runtime?: RuntimeOptions;
  /** Connections in the pool (default 4). */
  connections?: number;
}

interface ImageRow {
  id: string;
  rel_path: string;
  size: string;
  mtime_ms: number;
  hash: string | null;
  width: number | null;
  height: number | null;
  status: ImageStatus;
  reason: string | null;
  updated_at: string;
}

const recordColumns = 'id, rel_path, size, mtime_ms, hash, width, height, status, reason, updated_at';

function toRecord(row: ImageRow): ImageRecord {
  return {
    id: Number(row.id),
    relPath: row.rel_path,
    size: Number(row.size),
    mtimeMs: row.mtime_ms,
    hash: row.hash,
    width: row.width,
    height: row.height,
    status: row.status,
    reason: row.reason,
    updatedAt: Number(row.updated_at),
  };
}

export class PostgresLibrary implements LibraryBackend {
  readonly kind = 'postgres' as const;
  private runtimePromise: Promise<ModelRuntime> | undefined;

  private constructor(
    readonly pool: pg.Pool,
    readonly url: string,
    readonly model: string,
    readonly dim: number,
    readonly indexConfig: IndexConfig,
    private readonly provider: ExecutionProvider,
    private readonly runtimeOptions: RuntimeOptions,
  ) {}

  /**
   * Connects, applies the schema's migrations and opens the library. A new database loads the model
   * to learn its dimension; an existing one loads it only when something needs encoding, and refuses
   * another model than the one it holds.
   */
  static async open(options: PostgresLibraryOptions): Promise<PostgresLibrary> {
    const indexConfig = options.indexConfig ?? loadIndexConfig();
    const provider = options.provider ?? 'cpu';
    const pool = await openPool(options.url, { searchEf: indexConfig.hnsw.efSearch, max: options.connections });
    let runtime: ModelRuntime | undefined;
    try {
      const wanted = options.model === undefined ? undefined : canonicalModelRef(options.model);
      await migrate(pool, options.url, async () => {
        if (!wanted) throw new Error(`the database ${redactUrl(options.url)} holds no library yet; name the model with --model`);
        runtime = await loadModelRuntime(wanted, provider, options.runtime);
        return { model: wanted, dim: runtime.info.dim, hnsw: indexConfig.hnsw };
      });
      const model = (await getMeta(pool, 'model'))!;
      const dim = Number(await getMeta(pool, 'dim'));
      if (wanted !== undefined && wanted !== model) {
        throw new Error(`the database ${redactUrl(options.url)} holds a library of model ${model}, not ${wanted}; use another database (or schema) for another model`);
      }
      const library = new PostgresLibrary(pool, options.url, model, dim, indexConfig, provider, options.runtime ?? {});
      if (runtime) library.runtimePromise = Promise.resolve(runtime);
      return library;
    } catch (err) {
      await runtime?.dispose();
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  /** The folder this library indexes, once set by the first index run. */
  async root(): Promise<string | undefined> {
    return getMeta(this.pool, 'root');
  }

  /** Records the indexed folder; a library indexes one folder, so another one is refused. */
  async setRoot(folder: string): Promise<void> {
    const root = resolve(folder);
    const current = await this.root();
    if (current === root) return;
    if (current !== undefined && (await this.pool.query('SELECT 1 FROM images LIMIT 1')).rows.length > 0) {
      throw new Error(`this library already indexes ${current}; use another database for ${root}`);
    }
    await setMeta(this.pool, 'root', root);
  }

  indexFolder(options: IndexRunOptions): Promise<IndexReport> {
    return indexFolderIntoPostgres(this, options);
  }

  async getImage(id: number): Promise<ImageRecord | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const result = await this.pool.query<ImageRow>(`SELECT ${recordColumns} FROM images WHERE id = $1`, [id]);
    return result.rows.length ? toRecord(result.rows[0]) : undefined;
  }

  async listImages(status: ImageStatus | 'all' = 'indexed'): Promise<ImageRecord[]> {
    const result =
      status === 'all'
        ? await this.pool.query<ImageRow>(`SELECT ${recordColumns} FROM images ORDER BY id`)
        : await this.pool.query<ImageRow>(`SELECT ${recordColumns} FROM images WHERE status = $1 ORDER BY id`, [status]);
    return result.rows.map(toRecord);
  }

  async vector(id: number): Promise<Float32Array | undefined> {
    return (await this.vectors([id])).get(id);
  }

  async vectors(ids: readonly number[]): Promise<Map<number, Float32Array>> {
    const wanted = ids.filter((id) => Number.isSafeInteger(id));
    const found = new Map<number, Float32Array>();
    if (wanted.length === 0) return found;
    const result = await this.pool.query<{ id: string; embedding: string }>('SELECT id, embedding::text AS embedding FROM images WHERE id = ANY($1::bigint[]) AND embedding IS NOT NULL', [wanted]);
    for (const row of result.rows) found.set(Number(row.id), fromVectorText(row.embedding));
    return found;
  }

  async search(vector: Float32Array, k: number, options: { exclude?: Set<number> } = {}): Promise<SearchHit[]> {
    const exclude = options.exclude ?? new Set<number>();
    // Over-fetch by the number excluded: at most that many of the top results can be dropped.
    const limit = k + exclude.size;
    const sql = 'SELECT id, embedding <=> $1::vector AS distance FROM images ORDER BY embedding <=> $1::vector LIMIT $2';
    const params = [toVectorText(vector), limit];
    // An HNSW scan returns at most ef_search rows: a larger request raises it for its own transaction.
    const result = limit <= this.indexConfig.hnsw.efSearch ? await this.pool.query<{ id: string; distance: number }>(sql, params) : await this.withSearchEf(limit, sql, params);
    return result.rows
      .filter((row) => row.distance !== null && !exclude.has(Number(row.id)))
      .slice(0, k)
      .map((row) => ({ id: Number(row.id), score: 1 - row.distance }));
  }

  private async withSearchEf(ef: number, sql: string, params: unknown[]): Promise<pg.QueryResult<{ id: string; distance: number }>> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL hnsw.ef_search = ${Math.min(maxSearchEf, Math.floor(ef))}`);
      const result = await client.query<{ id: string; distance: number }>(sql, params);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async imagePath(id: number): Promise<string> {
    const record = await this.getImage(id);
    if (!record) throw new Error(`no image with id ${id}`);
    const root = await this.root();
    if (!root) throw new Error('this library has no indexed folder');
    return resolveUnderRoot(root, record.relPath);
  }

  async loadImage(id: number): Promise<RgbImage> {
    const runtime = await this.runtime();
    return runtime.decode(await readFile(await this.imagePath(id)), { maxPixels: this.indexConfig.indexer.maxPixels });
  }

  async encodeText(text: string): Promise<Float32Array> {
    const [vector] = await (await this.runtime()).encodeTexts([text]);
    return vector;
  }

  async encodeImage(source: ImageSource, box?: Box): Promise<Float32Array> {
    const runtime = await this.runtime();
    if (!box && 'id' in source && !(source instanceof Uint8Array)) {
      const stored = await this.vector(source.id);
      if (stored) return stored;
    }
    const input = source instanceof Uint8Array ? Buffer.from(source.buffer, source.byteOffset, source.byteLength) : 'id' in source ? await readFile(await this.imagePath(source.id)) : source;
    const [vector] = await runtime.encodeImages([await runtime.prepare(input, box, { maxPixels: this.indexConfig.indexer.maxPixels })]);
    return vector;
  }

  /** The model, loaded on first use. */
  runtime(): Promise<ModelRuntime> {
    this.runtimePromise ??= loadModelRuntime(this.model, this.provider, this.runtimeOptions).then((runtime) => {
      if (runtime.info.dim !== this.dim) {
        throw new Error(`model ${this.model} makes ${runtime.info.dim}-d vectors but this library holds ${this.dim}-d ones`);
      }
      return runtime;
    });
    return this.runtimePromise;
  }

  async encoderInfo(): Promise<EncoderInfo> {
    return (await this.runtime()).info;
  }

  async status(): Promise<BackendStatus> {
    const counts = await this.pool.query<{ status: ImageStatus; n: string }>('SELECT status, count(*) AS n FROM images GROUP BY status');
    const count = (status: ImageStatus) => Number(counts.rows.find((r) => r.status === status)?.n ?? 0);
    return {
      backend: 'postgres',
      images: count('indexed'),
      skipped: count('skipped'),
      model: this.model,
      dim: this.dim,
      root: (await this.root()) ?? null,
      location: redactUrl(this.url),
    };
  }

  /** Every read goes to the database, so other processes' writes are already visible. */
  async refresh(): Promise<void> {}

  async close(): Promise<void> {
    const runtime = this.runtimePromise;
    this.runtimePromise = undefined;
    await this.pool.end();
    if (runtime) await (await runtime.catch(() => undefined))?.dispose();
  }
}
