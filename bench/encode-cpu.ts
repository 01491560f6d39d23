// CPU encoding throughput of a ViT-B/32-shaped CLIP in fp32 and int8 ("q8"): decode-only,
// encode-only (prepared pixels, batched) and end to end through the indexer (read, hash, decode,
// resize, encode, SQLite commit, HNSW insert), with the machine's load average beside each figure.
// Each measurement runs in its own process so that its threads and peak RSS are its own.
//   npm run bench:cpu [-- --limit 200 --threads 2 --dtypes fp32,q8 --model DIR]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { repoRoot } from '../engine/config/load-config.ts';
import type { ModelDtype } from '../engine/encoders/model-folder.ts';
import { indexFolder } from '../engine/library/indexer.ts';
import { Library } from '../engine/library/library.ts';
import type { RgbImage } from '../engine/types.ts';
import { benchImageFolder, benchModelFolder, listImages } from './bench-inputs.ts';
import { writeBenchReport, type Cell } from './report.ts';

const phases = ['decode', 'encode', 'end-to-end'] as const;
type Phase = (typeof phases)[number];

const argsSchema = z.object({
  phase: z.enum(phases).optional(),
  dtype: z.enum(['fp32', 'fp16', 'q8']).default('fp32'),
  images: z.string().optional(),
  limit: z.coerce.number().int().min(4).default(200),
  batch: z.coerce.number().int().min(1).optional(),
  threads: z.coerce.number().int().min(0).default(2),
  /** ONNX Runtime's idle threads spin (its own default) instead of sleeping (ours). */
  spinning: z.enum(['yes', 'no']).default('no'),
  dtypes: z
    .string()
    .default('fp32,q8')
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(['fp32', 'fp16', 'q8'])).min(1)),
  model: z.string().optional(),
  /** Report file name (default encode-cpu, or encode-cpu-spinning with --spinning yes). */
  name: z.string().regex(/^[a-z0-9-]+$/).optional(),
  out: z.string().optional(),
});
type Args = z.infer<typeof argsSchema>;

interface PhaseResult {
  phase: Phase;
  dtype: ModelDtype | '-';
  images: number;
  seconds: number;
  imagesPerSecond: number;
  peakRssMiB: number;
  /** CPU time of the process (all its threads) per image: what the work costs, whatever the load. */
  cpuMsPerImage: number;
  /** 1-minute load average at the start and at the end of the measurement. */
  loadBefore: number;
  loadAfter: number;
}

async function runPhase(args: Args, modelDir: string): Promise<PhaseResult> {
  const folder = args.images!;
  const files = listImages(folder);
  const data = mkdtempSync(join(tmpdir(), 'visualref-bench-cpu-'));
  const library = await Library.open({ dataDir: data, model: modelDir, runtime: { dtype: args.dtype, threads: args.threads, spinning: args.spinning === 'yes' } });
  try {
    const runtime = await library.runtime();
    const batch = args.batch ?? library.indexConfig.indexer.batchSize;
    const { decodeAhead, maxPixels } = library.indexConfig.indexer;
    const prepare = async (file: string) => {
      const bytes = await readFile(file);
      await runtime.imageSize(bytes, { maxPixels });
      return runtime.prepare(bytes, undefined, { maxPixels });
    };
    const loadBefore = loadavg()[0];
    let cpu = process.cpuUsage();
    let seconds: number;
    if (args.phase === 'decode') {
      const start = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: decodeAhead }, async () => {
          while (next < files.length) await prepare(files[next++]);
        }),
      );
      seconds = (performance.now() - start) / 1000;
    } else if (args.phase === 'encode') {
      // The pixels the indexer would encode, prepared beforehand and not timed.
      const pixels: RgbImage[] = [];
      for (const file of files) pixels.push(await prepare(file));
      await runtime.encodeImages(pixels.slice(0, batch)); // warm-up
      cpu = process.cpuUsage();
      const start = performance.now();
      for (let i = 0; i < pixels.length; i += batch) await runtime.encodeImages(pixels.slice(i, i + batch));
      seconds = (performance.now() - start) / 1000;
    } else {
      await runtime.encodeImages([await prepare(files[0])]); // warm-up, as for encode-only
      cpu = process.cpuUsage();
      const report = await indexFolder(library, { folder, batchSize: batch });
      if (report.added !== files.length) throw new Error(`indexed ${report.added} of ${files.length} images`);
      seconds = report.seconds;
    }
    const used = process.cpuUsage(cpu);
    return {
      phase: args.phase!,
      dtype: args.phase === 'decode' ? '-' : args.dtype,
      images: files.length,
      seconds,
      imagesPerSecond: files.length / seconds,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      cpuMsPerImage: (used.user + used.system) / 1000 / files.length,
      loadBefore,
      loadAfter: loadavg()[0],
    };
  } finally {
    await library.close();
    rmSync(data, { recursive: true, force: true });
  }
}

function runChild(args: Args, modelDir: string, folder: string, phase: Phase, dtype: ModelDtype): PhaseResult {
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      ...['--phase', phase, '--dtype', dtype, '--images', folder, '--model', modelDir, '--threads', String(args.threads), '--spinning', args.spinning],
      ...(args.batch ? ['--batch', String(args.batch)] : []),
    ],
    { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (child.status !== 0) throw new Error(`${phase} ${dtype} failed (exit ${child.status})`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as PhaseResult;
}

const { values } = parseArgs({
  options: {
    phase: { type: 'string' },
    dtype: { type: 'string' },
    images: { type: 'string' },
    limit: { type: 'string' },
    batch: { type: 'string' },
    threads: { type: 'string' },
    spinning: { type: 'string' },
    dtypes: { type: 'string' },
    model: { type: 'string' },
    name: { type: 'string' },
    out: { type: 'string' },
  },
});
const args = argsSchema.parse(values);

if (args.phase) {
  process.stdout.write(`${JSON.stringify(await runPhase(args, args.model!))}\n`);
} else {
  const modelDir = benchModelFolder(args.model, 'b32', args.dtypes);
  const dir = mkdtempSync(join(tmpdir(), 'visualref-bench-cpu-images-'));
  try {
    const { folder, source } = await benchImageFolder(join(dir, 'images'), args.limit);
    const rows: Record<string, Cell>[] = [];
    const record = (result: PhaseResult) => {
      console.error(`[encode-cpu] ${JSON.stringify(result)}`);
      rows.push({ ...result });
    };
    record(runChild(args, modelDir, folder, 'decode', 'fp32'));
    for (const dtype of args.dtypes) {
      for (const phase of ['encode', 'end-to-end'] as const) record(runChild(args, modelDir, folder, phase, dtype));
    }
    const settings: Record<string, Cell> = {
      images: source,
      model: modelDir,
      threads: args.threads,
      spinningThreads: args.spinning,
      batch: args.batch ?? 'configs/index.yaml',
    };
    for (const dtype of args.dtypes) {
      const endToEnd = rows.find((r) => r.phase === 'end-to-end' && r.dtype === dtype)?.imagesPerSecond as number;
      const encode = rows.find((r) => r.phase === 'encode' && r.dtype === dtype)?.imagesPerSecond as number;
      settings[`${dtype}EndToEndVsEncodeOnly`] = endToEnd / encode;
    }
    const written = writeBenchReport(
      {
        // A run with spinning threads is a comparison, kept beside the default one.
        name: args.name ?? (args.spinning === 'yes' ? 'encode-cpu-spinning' : 'encode-cpu'),
        title: `CPU encoding throughput (${args.model ? basename(resolve(modelDir)) : 'random-weight ViT-B/32 CLIP'}; ${args.dtypes.join(', ')})`,
        settings,
        rows,
        notes: [
          'decode: read + header check + decode/resize/crop to 224×224 with sharp, several files in flight (independent of the weights).',
          'encode: the vision model on already prepared pixels, in batches.',
          'end-to-end: the indexer (scan, hash, decode, encode, SQLite commit per batch, HNSW insert and save).',
          'cpuMsPerImage: CPU time of all the process threads per image; unlike images/s it hardly depends on what else runs.',
          'loadBefore/loadAfter: the 1-minute load average of the machine; above the core count, other work competed for the CPU.',
          'int8 (q8): every MatMul weight quantised per tensor, activations quantised at run time (training/quantize_int8.py).',
        ],
      },
      args.out,
    );
    console.error(`wrote ${written.markdown}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
