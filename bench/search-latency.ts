// Search benchmark: N random unit vectors, HNSW build time, query latency percentiles and recall@k
// against exact search, for a few efSearch values (the configured one included).
//   npm run bench:search [-- --n 100000 --dim 512 --queries 1000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadIndexConfig } from '../engine/index/config.ts';
import { FlatIndex } from '../engine/index/flat-index.ts';
import { HnswIndex } from '../engine/index/hnsw-index.ts';
import { writeBenchReport, type Cell } from './report.ts';
import { clusteredSource, gaussian, percentile, randomUnitVector } from './synthetic-vectors.ts';

const args = z
  .object({
    n: z.coerce.number().int().min(100).default(100_000),
    dim: z.coerce.number().int().min(2).default(512),
    queries: z.coerce.number().int().min(10).default(500),
    k: z.coerce.number().int().min(1).default(10),
    m: z.coerce.number().int().min(2).optional(),
    efConstruction: z.coerce.number().int().min(8).optional(),
    data: z.enum(['clustered', 'isotropic', 'both']).default('both'),
    out: z.string().optional(),
  })
  .parse(
    parseArgs({
      options: { n: { type: 'string' }, dim: { type: 'string' }, queries: { type: 'string' }, k: { type: 'string' }, data: { type: 'string' }, m: { type: 'string' }, efConstruction: { type: 'string' }, out: { type: 'string' } },
    }).values,
  );

const config = loadIndexConfig();
const params = { ...config.hnsw, m: args.m ?? config.hnsw.m, efConstruction: args.efConstruction ?? config.hnsw.efConstruction };
const dir = mkdtempSync(join(tmpdir(), 'visualref-bench-search-'));

function measure(kind: 'clustered' | 'isotropic'): { rows: Record<string, Cell>[]; buildSeconds: number; indexMiB: number } {
  const next = gaussian(42);
  const draw = kind === 'clustered' ? clusteredSource(next, args.dim) : () => randomUnitVector(next, args.dim);
  const data = Array.from({ length: args.n }, draw);
  const queries = Array.from({ length: args.queries }, draw);

  const hnsw = HnswIndex.create(join(dir, `${kind}.hnsw`), args.dim, params);
  const buildStart = performance.now();
  data.forEach((v, i) => hnsw.upsert(i + 1, v));
  const buildSeconds = (performance.now() - buildStart) / 1000;
  console.error(`${kind}: built HNSW over ${args.n} × ${args.dim} in ${buildSeconds.toFixed(1)} s`);
  hnsw.save();

  const flat = FlatIndex.create(join(dir, `${kind}.flat`), args.dim);
  data.forEach((v, i) => flat.upsert(i + 1, v));
  const exactStart = performance.now();
  const truth = queries.map((q) => new Set(flat.search(q, args.k).map((h) => h.id)));
  const exactMs = (performance.now() - exactStart) / queries.length;

  const efValues = [...new Set([32, 64, 128, 256, 512, config.hnsw.efSearch])].sort((a, b) => a - b);
  const rows: Record<string, Cell>[] = [];
  for (const ef of efValues) {
    for (const q of queries.slice(0, 50)) hnsw.search(q, args.k, { ef }); // warm-up
    const times: number[] = [];
    let found = 0;
    queries.forEach((q, i) => {
      const t = performance.now();
      const hits = hnsw.search(q, args.k, { ef });
      times.push(performance.now() - t);
      found += hits.filter((h) => truth[i].has(h.id)).length;
    });
    times.sort((a, b) => a - b);
    const row = {
      data: kind,
      efSearch: ef,
      configured: ef === config.hnsw.efSearch,
      p50Ms: percentile(times, 50),
      p99Ms: percentile(times, 99),
      [`recall@${args.k}`]: found / (queries.length * args.k),
    };
    rows.push(row);
    console.error(JSON.stringify(row));
  }
  rows.push({ data: kind, efSearch: 'exact (flat)', configured: false, p50Ms: exactMs, p99Ms: null, [`recall@${args.k}`]: 1 });
  return { rows, buildSeconds, indexMiB: hnsw.fileBytes() / 2 ** 20 };
}

try {
  const kinds = args.data === 'both' ? (['clustered', 'isotropic'] as const) : [args.data];
  const rows: Record<string, Cell>[] = [];
  const settings: Record<string, Cell> = { vectors: args.n, dim: args.dim, queries: args.queries, k: args.k, m: params.m, efConstruction: params.efConstruction };
  for (const kind of kinds) {
    const result = measure(kind);
    rows.push(...result.rows);
    settings[`${kind}BuildSeconds`] = result.buildSeconds;
    settings.indexMiB = result.indexMiB;
  }
  const written = writeBenchReport({
    name: 'search-latency',
    title: 'Search latency and recall (random unit vectors)',
    settings,
    rows,
    notes: [
      'Exact (flat) rows: mean ms per query of the brute-force index (pure JS).',
      'clustered: points around 1,000 random centres plus a shared mean direction, like image embeddings.',
      'isotropic: independent Gaussian directions, a worst case for any graph index (no neighbour is much nearer than the rest).',
    ],
  }, args.out);
  console.error(`wrote ${written.markdown}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
