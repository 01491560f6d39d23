// A million images: HNSW index and SQLite image rows built from N generated 512-d embedding-like
// vectors (streamed from a seed, never all held in JS), then build time, peak RSS, search latency and
// recall@k against exact search (a streaming brute force over the regenerated vectors), and the time
// of a whole refine turn (top-K vectors from the store, extended Rocchio, HNSW search).
//   npm run bench:million [-- --n 1000000 --queries 100 --refine-turns 200]
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadFeedbackConfig } from '../engine/feedback/config.ts';
import { extendedRocchio } from '../engine/feedback/rocchio.ts';
import { loadIndexConfig } from '../engine/index/config.ts';
import { HnswIndex } from '../engine/index/hnsw-index.ts';
import { openDatabase } from '../engine/store/database.ts';
import { ImageStore } from '../engine/store/image-store.ts';
import { writeBenchReport, type Cell } from './report.ts';
import { clusteredStreams, percentile } from './synthetic-vectors.ts';

const argsSchema = z.object({
  n: z.coerce.number().int().min(100).default(1_000_000),
  dim: z.coerce.number().int().min(2).default(512),
  queries: z.coerce.number().int().min(10).default(100),
  k: z.coerce.number().int().min(1).default(10),
  refineTurns: z.coerce.number().int().min(10).default(200),
  seed: z.coerce.number().int().default(42),
  efConstruction: z.coerce.number().int().min(8).optional(),
  /** Sizes at which to measure on the way to n (a long run leaves figures even when stopped). */
  checkpoints: z
    .string()
    .default('100000,250000,500000')
    .transform((v) => v.split(',').filter(Boolean).map(Number))
    .pipe(z.array(z.number().int().positive())),
  /** Rows per SQLite transaction. */
  commitEvery: z.coerce.number().int().min(1).default(5000),
  /** Results directory (default bench/results). */
  out: z.string().optional(),
});
type MillionArgs = z.infer<typeof argsSchema>;

const DATA_STREAM = 1;
const QUERY_STREAM = 2;

function rssMiB(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Exact top-k ids of each query over the regenerated data stream (ids are 1..n in stream order). */
function exactNeighbours(draw: () => Float32Array, n: number, queries: Float32Array[], k: number): Set<number>[] {
  const dim = queries[0].length;
  const q = new Float32Array(queries.length * dim);
  queries.forEach((v, i) => q.set(v, i * dim));
  const scores = queries.map(() => new Float64Array(k).fill(-Infinity));
  const ids = queries.map(() => new Int32Array(k));
  for (let id = 1; id <= n; id++) {
    const v = draw();
    for (let j = 0; j < queries.length; j++) {
      let dot = 0;
      const base = j * dim;
      for (let d = 0; d < dim; d++) dot += q[base + d] * v[d];
      const s = scores[j];
      if (dot <= s[k - 1]) continue;
      let pos = k - 1;
      while (pos > 0 && s[pos - 1] < dot) {
        s[pos] = s[pos - 1];
        ids[j][pos] = ids[j][pos - 1];
        pos--;
      }
      s[pos] = dot;
      ids[j][pos] = id;
    }
  }
  return ids.map((list) => new Set(list));
}

interface Built {
  index: HnswIndex;
  store: ImageStore;
}

/** Search latency and recall@k at a few efSearch values (the configured one included), and refine turns, over the first `size` vectors. */
function measureAt(size: number, { index, store }: Built, streams: (s: number) => () => Float32Array, args: MillionArgs): Record<string, Cell>[] {
  const config = loadIndexConfig();
  const rocchio = loadFeedbackConfig().rocchio;
  const queries = Array.from({ length: args.queries }, streams(QUERY_STREAM));
  const exactStart = performance.now();
  const truth = exactNeighbours(streams(DATA_STREAM), size, queries, args.k);
  console.error(`[million] exact search of ${args.queries} queries over ${size} regenerated vectors: ${((performance.now() - exactStart) / 1000).toFixed(0)} s`);
  const rows: Record<string, Cell>[] = [];
  for (const ef of [...new Set([64, 128, 256, config.hnsw.efSearch])].sort((x, y) => x - y)) {
    for (const q of queries.slice(0, 20)) index.search(q, args.k, { ef }); // warm-up
    const times: number[] = [];
    let found = 0;
    queries.forEach((q, i) => {
      const t = performance.now();
      const hits = index.search(q, args.k, { ef });
      times.push(performance.now() - t);
      found += hits.filter((h) => truth[i].has(h.id)).length;
    });
    times.sort((x, y) => x - y);
    rows.push({ vectors: size, measure: 'search', efSearch: ef, configured: ef === config.hnsw.efSearch, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), [`recall@${args.k}`]: found / (args.queries * args.k) });
  }

  // A refine turn as refine-query runs it: the previous results' top-K vectors read from the store,
  // extended Rocchio, then a new HNSW search. The previous search is not part of the turn.
  const turnQuery = streams(QUERY_STREAM + 1);
  const turns: number[] = [];
  for (let t = 0; t < args.refineTurns + 10; t++) {
    const q = turnQuery();
    const previous = index.search(q, args.k);
    const t0 = performance.now();
    const vectors = previous.slice(0, rocchio.k).map((h) => store.vector(h.id)!);
    const refined = extendedRocchio(q, vectors, rocchio);
    const hits = index.search(refined.query, args.k);
    const ms = performance.now() - t0;
    if (hits.length !== args.k) throw new Error(`refined search gave ${hits.length} hits`);
    if (t >= 10) turns.push(ms); // the first turns warm the SQLite page cache
  }
  turns.sort((x, y) => x - y);
  rows.push({ vectors: size, measure: `refine turn (top-${rocchio.k} extended Rocchio + search)`, efSearch: config.hnsw.efSearch, configured: true, p50Ms: percentile(turns, 50), p99Ms: percentile(turns, 99), [`recall@${args.k}`]: null });
  for (const row of rows) console.error(`[million] ${JSON.stringify(row)}`);
  return rows;
}

/**
 * Builds up to `n`, measuring at each checkpoint on the way and rewriting the report each time, so a
 * run stopped early still leaves the largest size measured (and the build rate for extrapolating).
 */
async function runMillion(args: MillionArgs): Promise<{ markdown: string; json: string }> {
  const config = loadIndexConfig();
  // Capacity set once for the whole run, so no resize ever copies the graph.
  const params = { ...config.hnsw, efConstruction: args.efConstruction ?? config.hnsw.efConstruction, growBy: args.n };
  const streams = clusteredStreams(args.seed, args.dim);
  const checkpoints = [...new Set([...args.checkpoints.filter((c) => c < args.n), args.n])].sort((x, y) => x - y);
  const dir = mkdtempSync(join(tmpdir(), 'visualref-bench-million-'));
  const db = openDatabase(join(dir, 'library.db'));
  try {
    const store = new ImageStore(db, () => args.dim);
    store.setMeta('dim', String(args.dim));
    const index = HnswIndex.create(join(dir, 'index.hnsw'), args.dim, params);
    const rows: Record<string, Cell>[] = [];
    const progress: Record<string, Cell>[] = [];
    let written: { markdown: string; json: string } | undefined;

    // Build: rows committed in transactions, each batch then added to the index (as the indexer does).
    const draw = streams(DATA_STREAM);
    let storeMs = 0;
    let indexMs = 0;
    let measureMs = 0;
    const start = performance.now();
    let lastLog = start;
    for (let done = 0; done < args.n; ) {
      const nextCheckpoint = checkpoints.find((c) => c > done)!;
      const batch: Float32Array[] = [];
      while (batch.length < args.commitEvery && done + batch.length < nextCheckpoint) batch.push(draw());
      const t0 = performance.now();
      const ids = store.transaction(() =>
        batch.map((vector, i) => {
          const n = done + i + 1;
          return store.write({
            relPath: `synthetic/${String(n).padStart(7, '0')}.jpg`,
            size: 100_000 + (n % 50_000),
            mtimeMs: 1_700_000_000_000 + n,
            hash: createHash('sha256').update(String(n)).digest('hex'),
            width: 640,
            height: 480,
            status: 'indexed',
            vector,
          });
        }),
      );
      const t1 = performance.now();
      batch.forEach((vector, i) => {
        if (ids[i] !== done + i + 1) throw new Error(`expected id ${done + i + 1}, store gave ${ids[i]}`);
        index.upsert(ids[i], vector);
      });
      const t2 = performance.now();
      storeMs += t1 - t0;
      indexMs += t2 - t1;
      done += batch.length;
      const buildSeconds = (t2 - start - measureMs) / 1000;
      if (t2 - lastLog > 30_000 || done === nextCheckpoint) {
        lastLog = t2;
        console.error(`[million] ${done}/${args.n} vectors, build ${buildSeconds.toFixed(0)} s (${(done / buildSeconds).toFixed(0)}/s), rss ${rssMiB().toFixed(0)} MiB, peak ${peakRssMiB().toFixed(0)} MiB`);
      }
      if (done !== nextCheckpoint) continue;

      const final = done === args.n;
      let saveSeconds: number | null = null;
      if (final) {
        const saveStart = performance.now();
        index.save();
        saveSeconds = (performance.now() - saveStart) / 1000;
      }
      progress.push({ vectors: done, buildSeconds, storeWriteSeconds: storeMs / 1000, hnswInsertSeconds: indexMs / 1000, insertsPerSecond: done / buildSeconds, rssMiB: rssMiB(), peakRssMiB: peakRssMiB() });
      const m0 = performance.now();
      rows.push(...measureAt(done, { index, store }, streams, args));
      measureMs += performance.now() - m0;

      const settings: Record<string, Cell> = {
        vectors: done,
        target: args.n,
        dim: args.dim,
        data: 'clustered (1,000 centres), streamed from a seed',
        seed: args.seed,
        m: params.m,
        efConstruction: params.efConstruction,
        k: args.k,
        queries: args.queries,
        refineTurns: args.refineTurns,
        buildSeconds,
        storeWriteSeconds: storeMs / 1000,
        hnswInsertSeconds: indexMs / 1000,
        saveSeconds,
        indexMiB: final ? index.fileBytes() / 2 ** 20 : null,
        databaseMiB: statSync(join(dir, 'library.db')).size / 2 ** 20,
        peakRssMiB: peakRssMiB(),
      };
      written = writeBenchReport(
        {
          name: 'million',
          title: `Index of ${done.toLocaleString('en')} images (HNSW + SQLite rows)${final ? '' : ` — partial, on the way to ${args.n.toLocaleString('en')}`}`,
          settings,
          rows: [...rows, ...progress.map((p) => ({ vectors: p.vectors, measure: 'build so far', buildSeconds: p.buildSeconds, insertsPerSecond: p.insertsPerSecond, peakRssMiB: p.peakRssMiB }))],
          notes: [
            'Build: SQLite rows (path, size, hash, 2 KiB vector BLOB) committed in transactions, each batch then inserted into hnswlib (one thread); measurement pauses are not counted.',
            'Recall: against an exact brute force over the same vectors regenerated from the seed.',
            'Refine turn: store reads of the top-K vectors + extended Rocchio (engine/feedback) + HNSW search, at the configured efSearch.',
            'peakRssMiB: the process high-water mark so far (hnswlib capacity is reserved for the target size up front; untouched pages are not resident).',
          ],
        },
        args.out,
      );
    }
    return written!;
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const { values } = parseArgs({
  options: {
    n: { type: 'string' },
    dim: { type: 'string' },
    queries: { type: 'string' },
    k: { type: 'string' },
    'refine-turns': { type: 'string' },
    seed: { type: 'string' },
    'ef-construction': { type: 'string' },
    'commit-every': { type: 'string' },
    checkpoints: { type: 'string' },
    out: { type: 'string' },
  },
});
const { markdown } = await runMillion(
  argsSchema.parse({ ...values, refineTurns: values['refine-turns'], efConstruction: values['ef-construction'], commitEvery: values['commit-every'] }),
);
console.error(`wrote ${markdown}`);
