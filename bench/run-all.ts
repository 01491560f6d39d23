// Runs every benchmark in turn, each in its own process (so its peak RSS and threads are its own),
// then writes bench/results/summary.md: one table of every figure beside its target.
//   npm run bench [-- --quick] [--only index,search,million,cpu-int8,int8-accuracy,gpu,regions,refine-regions,region-indexing,mcp-loop,afs-refine,postgres] [--model DIR] [--out DIR]
// --quick: small sizes (minutes, for checking the benchmarks work, not for figures).
// --summary-only: runs nothing, rewrites summary.md from the reports already there.
// A benchmark that fails is reported in the summary and makes the exit code 1; the others still run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { repoRoot } from '../engine/config/load-config.ts';
import { writeFileAtomically } from '../engine/index/atomic-file.ts';
import { loadIndexConfig } from '../engine/index/config.ts';
import { machine } from './report.ts';
import { summaryMarkdown, type FailedRun, type StoredReport } from './summary.ts';

const benchmarks = ['index', 'search', 'million', 'cpu-int8', 'int8-accuracy', 'gpu', 'regions', 'refine-regions', 'region-indexing', 'mcp-loop', 'afs-refine', 'postgres'] as const;
type Benchmark = (typeof benchmarks)[number];

const { values } = parseArgs({
  options: { quick: { type: 'boolean' }, 'summary-only': { type: 'boolean' }, only: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' } },
});
const args = z
  .object({
    quick: z.boolean().default(false),
    summaryOnly: z.boolean().default(false),
    only: z
      .string()
      .optional()
      .transform((s) => (s ? s.split(',').filter(Boolean) : [...benchmarks]))
      .pipe(z.array(z.enum(benchmarks)).min(1)),
    model: z.string().optional(),
    out: z.string().default(join(repoRoot, 'bench', 'results')),
  })
  .parse({ ...values, summaryOnly: values['summary-only'] });
const toRun = args.summaryOnly ? [] : args.only;

interface Plan {
  script: string;
  /** The report files it writes (their `name`s); the first one tells whether the run produced anything. */
  reports: string[];
  argv: string[];
}

function plan(name: Benchmark): Plan {
  const q = args.quick;
  const model = args.model ? ['--model', args.model] : [];
  switch (name) {
    case 'index':
      return { script: 'index-throughput.ts', reports: ['index-throughput'], argv: [...(q ? ['--limit', '16'] : []), ...model] };
    case 'search':
      return { script: 'search-latency.ts', reports: ['search-latency'], argv: q ? ['--n', '2000', '--queries', '50'] : [] };
    case 'million':
      return { script: 'million.ts', reports: ['million'], argv: q ? ['--n', '2000', '--queries', '20', '--refine-turns', '20'] : [] };
    case 'cpu-int8':
      return { script: 'encode-cpu.ts', reports: ['encode-cpu'], argv: [...(q ? ['--limit', '16'] : []), ...model] };
    case 'int8-accuracy':
      // The built-in model (models/builtin) unless --model names another.
      return { script: 'int8-accuracy.ts', reports: ['int8-accuracy'], argv: [...(q ? ['--limit', '40'] : []), ...model] };
    case 'gpu':
      return { script: 'encode-gpu.ts', reports: ['encode-gpu'], argv: [...(q ? ['--limit', '32', '--batch', '8'] : []), ...(args.model ? ['--model-b32', args.model, '--shapes', 'b32'] : [])] };
    case 'region-indexing':
      return { script: 'region-indexing.ts', reports: ['region-indexing'], argv: [...(q ? ['--limit', '16'] : []), ...(args.model ? ['--b32', args.model] : [])] };
    case 'mcp-loop':
      return { script: 'mcp-loop.ts', reports: ['mcp-loop'], argv: q ? ['--scenes', '40', '--targets', '5'] : [] };
    case 'refine-regions':
      return { script: 'refine-regions.ts', reports: ['refine-regions'], argv: q ? ['--images', '3000', '--scenes', '60', '--turns', '5'] : [] };
    case 'afs-refine':
      return { script: 'afs-refine.ts', reports: ['afs-refine'], argv: q ? ['--scenes', '40', '--turns', '10'] : [] };
    case 'postgres':
      return { script: 'postgres-backends.ts', reports: ['postgres-backends'], argv: q ? ['--n', '1000', '--queries', '20'] : [] };
    case 'regions':
      return { script: 'regions.ts', reports: ['regions-rerank', 'regions-store', 'regions-extraction'], argv: q ? ['--n', '2000', '--turns', '10', '--photos', '2'] : [] };
  }
}

function reportFile(report: string): string {
  return join(args.out, `${report}.json`);
}

mkdirSync(args.out, { recursive: true });
const failed: FailedRun[] = [];
for (const name of toRun) {
  const p = plan(name);
  const argv = [...p.argv, '--out', args.out];
  console.error(`[bench] ${name}: node --import tsx bench/${p.script} ${argv.join(' ')}`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench', p.script), ...argv], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] });
  const seconds = (performance.now() - started) / 1000;
  if (run.status !== 0 || !existsSync(reportFile(p.reports[0]))) {
    failed.push({ name, reason: `bench/${p.script} exited with ${run.status ?? run.signal} after ${seconds.toFixed(0)} s` });
    continue;
  }
  console.error(`[bench] ${name}: done in ${seconds.toFixed(0)} s`);
}

// The summary covers the latest report of every benchmark, those of earlier runs included.
const reports = benchmarks
  .map(plan)
  .flatMap((p) => p.reports.map(reportFile))
  .filter((file) => existsSync(file))
  .map((file) => JSON.parse(readFileSync(file, 'utf8')) as StoredReport);

const host = machine();
const machineLine = `${host.cpu}, ${host.cores} cores, ${host.memoryGiB} GiB, ${host.platform}, Node ${host.node}`;
const summary = join(args.out, 'summary.md');
writeFileAtomically(summary, Buffer.from(summaryMarkdown(reports, failed, machineLine, loadIndexConfig().hnsw.efSearch)));
console.error(`[bench] wrote ${summary}`);
process.exitCode = failed.length ? 1 : 0;
