// The postgres backend beside the embedded one, on the same N synthetic clustered unit vectors
// (like image embeddings): ingest rate (rows + vectors committed per batch, the encoder left out: it
// is the same for both), search p50/p99 and recall@k against exact search, and the library part of a
// refine turn (the judged images' vectors, a Rocchio query, a search excluding the seen ids). The
// postgres backend runs on PGlite (WebAssembly, one process) over the wire protocol, so its figures
// are a floor, not what a real Postgres server gives.
//   npm run bench:postgres [-- --n 20000 --dim 512 --queries 200]
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadIndexConfig } from '../engine/index/config.ts';
import { FlatIndex } from '../engine/index/flat-index.ts';
import { Library } from '../engine/library/library.ts';
import { EmbeddedBackend } from '../engine/library/embedded-backend.ts';
import type { LibraryBackend } from '../engine/library/library-backend.ts';
import { startDevDatabase } from '../engine/library/postgres/dev-database.ts';
import { PostgresLibrary } from '../engine/library/postgres/postgres-library.ts';
import { inTransaction, upsertRows, type Row } from '../engine/library/postgres/postgres-indexer.ts';
import { openPool } from '../engine/library/postgres/connection.ts';
import { migrate } from '../engine/library/postgres/schema.ts';
import { canonicalModelRef, modelSlug } from '../engine/library/paths.ts';
import { openDatabase } from '../engine/store/database.ts';
import { ImageStore } from '../engine/store/image-store.ts';
import { toVectorText } from '../engine/library/postgres/vector-text.ts';
import { writeBenchReport, type Cell } from './report.ts';
import { clusteredSource, gaussian, percentile } from './synthetic-vectors.ts';

const args = z
  .object({
    n: z.coerce.number().int().min(100).default(20_000),
    dim: z.coerce.number().int().min(2).default(512),
    queries: z.coerce.number().int().min(10).default(200),
    k: z.coerce.number().int().min(1).default(10),
    batch: z.coerce.number().int().min(1).default(256),
    port: z.coerce.number().int().min(1).max(65535).default(7589),
    out: z.string().optional(),
  })
  .parse(
    parseArgs({
      options: { n: { type: 'string' }, dim: { type: 'string' }, queries: { type: 'string' }, k: { type: 'string' }, batch: { type: 'string' }, port: { type: 'string' }, out: { type: 'string' } },
    }).values,
  );

// No model runs here: each library is created with this name and dimension recorded, as if a
// 512-d model had made them (the vectors are synthetic).
const model = join(tmpdir(), 'visualref-bench-synthetic-model');
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const next = gaussian(7);
const draw = clusteredSource(next, args.dim);
const data = Array.from({ length: args.n }, draw);
const queries = Array.from({ length: args.queries }, draw);
const flat = FlatIndex.create(join(tmpdir(), 'visualref-bench-pg-flat'), args.dim);
data.forEach((v, i) => flat.upsert(i + 1, v));
const truth = queries.map((q) => new Set(flat.search(q, args.k).map((h) => h.id)));
const mkdirs = (path: string) => {
  mkdirSync(path, { recursive: true });
  return path;
};
const relPath = (i: number) => `synthetic/${String(i).padStart(8, '0')}.jpg`;

async function ingestEmbedded(library: Library): Promise<void> {
  for (let start = 0; start < args.n; start += args.batch) {
    const added: { id: number; vector: Float32Array }[] = [];
    library.store.transaction(() => {
      for (let i = start; i < Math.min(args.n, start + args.batch); i++) {
        const id = library.store.write({ relPath: relPath(i), size: 1, mtimeMs: 0, hash: String(i), width: 1, height: 1, status: 'indexed', vector: data[i] });
        added.push({ id, vector: data[i] });
      }
    });
    library.indexVectors(added);
  }
  library.saveIndex();
}

async function ingestPostgres(library: PostgresLibrary): Promise<void> {
  for (let start = 0; start < args.n; start += args.batch) {
    const rows: Row[] = [];
    for (let i = start; i < Math.min(args.n, start + args.batch); i++) {
      rows.push({ relPath: relPath(i), size: 1, mtimeMs: 0, hash: String(i), width: 1, height: 1, status: 'indexed', reason: null, embedding: toVectorText(data[i]) });
    }
    await inTransaction(library.pool, (client) => upsertRows(client, rows));
    if (start % (args.batch * 8) === 0) console.error(`  postgres: ${start + rows.length} rows (load ${loadAverage()})`);
  }
}

async function measure(backend: LibraryBackend, ingestSeconds: number): Promise<Record<string, Cell>> {
  for (const q of queries.slice(0, 10)) await backend.search(q, args.k);
  const times: number[] = [];
  let found = 0;
  for (let i = 0; i < queries.length; i++) {
    const t = performance.now();
    const hits = await backend.search(queries[i], args.k);
    times.push(performance.now() - t);
    found += hits.filter((h) => truth[i].has(h.id)).length;
  }
  times.sort((a, b) => a - b);
  // The library's part of a refine turn: three judged images' vectors, a Rocchio query, a search
  // that leaves out the ten results already seen.
  const turns: number[] = [];
  for (const q of queries) {
    const seen = (await backend.search(q, 10)).map((h) => h.id);
    const t = performance.now();
    const judged = await backend.vectors(seen.slice(0, 3));
    const query = Float32Array.from(q);
    for (const v of judged.values()) for (let d = 0; d < args.dim; d++) query[d] += (0.75 / judged.size) * v[d];
    await backend.search(query, args.k, { exclude: new Set(seen) });
    turns.push(performance.now() - t);
  }
  turns.sort((a, b) => a - b);
  return {
    backend: backend.kind,
    ingestRowsPerSecond: args.n / ingestSeconds,
    searchP50Ms: percentile(times, 50),
    searchP99Ms: percentile(times, 99),
    [`recall@${args.k}`]: found / (queries.length * args.k),
    refineTurnP50Ms: percentile(turns, 50),
    loadAverage: loadAverage(),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'visualref-bench-pg-'));
const rows: Record<string, Cell>[] = [];
try {
  const indexConfig = loadIndexConfig();
  const seed = openDatabase(join(mkdirs(join(dir, modelSlug(model))), 'library.db'));
  const seedStore = new ImageStore(seed, () => args.dim);
  seedStore.setMeta('model', canonicalModelRef(model));
  seedStore.setMeta('dim', String(args.dim));
  seed.close();
  const embedded = await Library.open({ dataDir: dir, model, indexConfig });
  let t = performance.now();
  await ingestEmbedded(embedded);
  rows.push(await measure(new EmbeddedBackend(embedded), (performance.now() - t) / 1000));
  console.error(JSON.stringify(rows.at(-1)));
  await embedded.close();

  const database = await startDevDatabase({ port: args.port });
  try {
    const pool = await openPool(database.url, { searchEf: indexConfig.hnsw.efSearch });
    await migrate(pool, database.url, async () => ({ model: canonicalModelRef(model), dim: args.dim, hnsw: indexConfig.hnsw }));
    await pool.end();
    const postgres = await PostgresLibrary.open({ url: database.url, model, indexConfig });
    t = performance.now();
    await ingestPostgres(postgres);
    rows.push(await measure(postgres, (performance.now() - t) / 1000));
    console.error(JSON.stringify(rows.at(-1)));
    await postgres.close();
  } finally {
    await database.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

writeBenchReport(
  {
    name: 'postgres-backends',
    title: 'The postgres backend (PGlite + pgvector over the wire protocol) beside the embedded one',
    settings: { vectors: args.n, dim: args.dim, queries: args.queries, k: args.k, batch: args.batch, ...indexSettings() },
    rows: [...rows, ratioRow(rows)],
    notes: [
      'Synthetic clustered unit vectors (bench/synthetic-vectors.ts); recall against exact search (flat index).',
      'ingest: rows and vectors written in transactions of `batch` rows (postgres: one upsert per batch; embedded: SQLite rows then the HNSW file), no encoder: it is the same for both backends.',
      'refine turn: the library part only (3 judged vectors fetched, Rocchio query, search excluding the 10 seen ids); encoders left out.',
      'PGlite is Postgres compiled to WebAssembly in one Node process, reached over TCP: a floor for a real Postgres server, not a forecast.',
    ],
  },
  args.out,
);

function indexSettings(): Record<string, Cell> {
  const { m, efConstruction, efSearch } = loadIndexConfig().hnsw;
  return { m, efConstruction, efSearch };
}

/** postgres ÷ embedded for every number both rows have. */
function ratioRow(measured: Record<string, Cell>[]): Record<string, Cell> {
  const [embedded, postgres] = measured;
  const ratio: Record<string, Cell> = { backend: 'ratio postgres / embedded' };
  for (const [key, value] of Object.entries(postgres ?? {})) {
    const base = embedded?.[key];
    if (typeof value === 'number' && typeof base === 'number' && base !== 0) ratio[key] = value / base;
  }
  return ratio;
}
