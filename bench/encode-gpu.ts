// GPU encoding throughput: the CUDA and WebGPU execution providers of ONNX Runtime, fp16 and fp32
// weights, ViT-B/32- and ViT-L/14-shaped CLIPs, large batches, with decoding spread over worker
// threads (bench/gpu/decode-pool.ts) a few batches ahead so the GPU never waits; and the PyTorch fp16
// encode-only reference (bench/encode-reference.py) in the same run. A provider that cannot start
// here (no GPU, no driver, no CUDA libraries for onnxruntime-node, no WebGPU adapter) is recorded as
// skipped with the reason: no number is ever measured on a CPU fallback.
//   npm run bench:gpu [-- --shapes b32,l14 --providers cuda,webgpu --dtypes fp16,fp32 --batch 64 --limit 512]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { z } from 'zod';
import { repoRoot } from '../engine/config/load-config.ts';
import { loadEncoders } from '../engine/encoders/load-encoders.ts';
import type { ExecutionProvider, RgbImage } from '../engine/types.ts';
import { benchImageFolder, benchModelFolder, listImages, type ModelShape } from './bench-inputs.ts';
import { DecodePool } from './gpu/decode-pool.ts';
import { writeBenchReport, type Cell } from './report.ts';

const list = <T extends string>(values: readonly [T, ...T[]]) =>
  z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(z.enum(values)).min(1));

const argsSchema = z.object({
  shapes: list(['b32', 'l14']).default(['b32', 'l14']),
  // "cpu" runs the same pipeline on the CPU: for testing this benchmark, not as a GPU figure.
  providers: list(['cuda', 'webgpu', 'cpu']).default(['cuda', 'webgpu']),
  dtypes: list(['fp16', 'fp32']).default(['fp16', 'fp32']),
  batch: z.coerce.number().int().min(1).default(64),
  limit: z.coerce.number().int().min(1).default(512),
  workers: z.coerce.number().int().min(1).default(Math.max(1, cpus().length - 1)),
  /** Batches decoded ahead of the encoder. */
  ahead: z.coerce.number().int().min(1).default(3),
  modelB32: z.string().optional(),
  modelL14: z.string().optional(),
  reference: z.enum(['yes', 'no']).default('yes'),
  out: z.string().optional(),
});
type Args = z.infer<typeof argsSchema>;

/** Whether ONNX Runtime can open a session on `provider` here; the reason when it cannot. */
async function probeProvider(provider: ExecutionProvider): Promise<string | null> {
  if (provider === 'cpu') return null;
  const tiny = join(repoRoot, 'test', 'models', 'tiny-clip', 'onnx', 'vision_model.onnx');
  try {
    const session = await ort.InferenceSession.create(tiny, { executionProviders: [provider], logSeverityLevel: 4 });
    await session.release();
    return null;
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0];
    // WebGPU's message is a source location and an assertion; what it means is short.
    const detail = message.includes('RequestAdapterStatus')
      ? 'no WebGPU adapter (GPU) found'
      : message.includes('Failed to load shared library')
        ? 'its CUDA library did not load (no GPU driver, CUDA 12/cuDNN 9 missing, or onnxruntime-node installed without it: ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node)'
        : message.slice(0, 200);
    return `ONNX Runtime cannot start the ${provider} provider: ${detail}`;
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

interface Measured {
  encodeOnlyImagesPerSecond: number;
  endToEndImagesPerSecond: number;
  /** Share of the end-to-end time the encoder spent waiting for decoded images. */
  encoderWaitShare: number;
}

async function measure(modelDir: string, provider: ExecutionProvider, dtype: 'fp16' | 'fp32', files: string[], args: Args): Promise<Measured | string> {
  const encoders = await loadEncoders(modelDir, { provider, dtype, maxBatch: args.batch });
  const pool = new DecodePool(args.workers, encoders.image.preprocess);
  try {
    if (encoders.info.provider !== provider) return `the ${provider} provider fell back to ${encoders.info.provider}`;
    const batches = chunks(files, args.batch);

    // Encode-only: pixels prepared beforehand (not timed), then every batch through the model.
    const prepared: RgbImage[][] = [];
    for (const batch of batches) prepared.push(await pool.prepareBatch(batch));
    await encoders.image.encodePixels(prepared[0]); // warm-up (kernel selection, allocations)
    let start = performance.now();
    for (const pixels of prepared) await encoders.image.encodePixels(pixels);
    const encodeOnlySeconds = (performance.now() - start) / 1000;
    prepared.length = 0;

    // End to end: files decoded by the pool `ahead` batches in front of the encoder.
    start = performance.now();
    let waitMs = 0;
    const queue = batches.slice(0, args.ahead).map((b) => pool.prepareBatch(b));
    for (let i = 0; i < batches.length; i++) {
      const t = performance.now();
      const pixels = await queue.shift()!;
      waitMs += performance.now() - t;
      if (i + args.ahead < batches.length) queue.push(pool.prepareBatch(batches[i + args.ahead]));
      await encoders.image.encodePixels(pixels);
    }
    const totalMs = performance.now() - start;
    return {
      encodeOnlyImagesPerSecond: files.length / encodeOnlySeconds,
      endToEndImagesPerSecond: (files.length * 1000) / totalMs,
      encoderWaitShare: waitMs / totalMs,
    };
  } finally {
    await pool.close();
    await encoders.image.dispose();
    await encoders.text.dispose();
  }
}

/** Decode-pool throughput alone (CPU): how many images/s the workers can feed an encoder. */
async function measureDecodePool(files: string[], args: Args): Promise<number> {
  const spec = (await loadEncoders('tiny-clip')).image.preprocess; // CLIP 224 preprocessing
  const pool = new DecodePool(args.workers, spec);
  try {
    await pool.prepareBatch(files.slice(0, args.workers)); // warm-up (worker start, sharp load)
    const start = performance.now();
    for (const batch of chunks(files, args.batch)) await pool.prepareBatch(batch);
    return (files.length * 1000) / (performance.now() - start);
  } finally {
    await pool.close();
  }
}

function runReference(shape: ModelShape, batch: number): Record<string, Cell> {
  const run = spawnSync('/usr/bin/python3', [join(repoRoot, 'bench', 'encode-reference.py'), '--shape', shape, '--batch', String(batch), '--dtype', 'fp16', '--device', 'cuda'], {
    encoding: 'utf8',
  });
  const last = run.stdout?.trim().split('\n').at(-1);
  if (run.status !== 0 || !last) {
    return { status: 'skipped', reason: `PyTorch reference failed (exit ${run.status}): ${(run.stderr || String(run.error ?? '')).trim().split('\n').at(-1)}` };
  }
  const result = JSON.parse(last) as Record<string, Cell>;
  if (result.skipped) return { status: 'skipped', reason: result.skipped };
  return { status: 'measured', encodeOnlyImagesPerSecond: result.imagesPerSecond, reason: `${result.gpu}, torch ${result.torch}` };
}

const { values } = parseArgs({
  options: Object.fromEntries(
    ['shapes', 'providers', 'dtypes', 'batch', 'limit', 'workers', 'ahead', 'model-b32', 'model-l14', 'reference', 'out'].map((name) => [name, { type: 'string' as const }]),
  ),
});
const args = argsSchema.parse({ ...values, modelB32: values['model-b32'], modelL14: values['model-l14'] });
// sharp decodes on libuv's thread pool, which is sized once per process from the environment (and
// may already be running by now): with fewer threads than decode workers, start again with enough.
const poolThreads = Math.max(4, args.workers);
if (Number(process.env.UV_THREADPOOL_SIZE ?? 4) < poolThreads) {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, UV_THREADPOOL_SIZE: String(poolThreads) },
  });
  process.exit(child.status ?? 1);
}

const dir = mkdtempSync(join(tmpdir(), 'visualref-bench-gpu-'));
try {
  const { folder, source } = await benchImageFolder(join(dir, 'images'), args.limit);
  const files = listImages(folder);
  const rows: Record<string, Cell>[] = [];
  const record = (row: Record<string, Cell>) => {
    console.error(`[encode-gpu] ${JSON.stringify(row)}`);
    rows.push(row);
  };

  record({ shape: '-', provider: `decode pool (${args.workers} workers, CPU)`, dtype: '-', batch: args.batch, status: 'measured', endToEndImagesPerSecond: await measureDecodePool(files, args) });

  const unusable = new Map<ExecutionProvider, string | null>();
  for (const provider of args.providers) unusable.set(provider, await probeProvider(provider));
  for (const shape of args.shapes) {
    for (const provider of args.providers) {
      for (const dtype of args.dtypes) {
        const row: Record<string, Cell> = { shape, provider, dtype, batch: args.batch };
        const reason = unusable.get(provider);
        if (reason) {
          record({ ...row, status: 'skipped', reason });
          continue;
        }
        const modelDir = benchModelFolder(shape === 'b32' ? args.modelB32 : args.modelL14, shape, [dtype]);
        const result = await measure(modelDir, provider, dtype, files, args);
        record(typeof result === 'string' ? { ...row, status: 'skipped', reason: result } : { ...row, status: 'measured', ...result });
      }
    }
    if (args.reference === 'yes') record({ shape, provider: 'pytorch (encode only)', dtype: 'fp16', batch: args.batch, ...runReference(shape, args.batch) });
  }

  const written = writeBenchReport(
    {
      name: 'encode-gpu',
      title: 'GPU encoding throughput (random-weight CLIP ViT-B/32 and ViT-L/14)',
      settings: { images: source, batch: args.batch, decodeWorkers: args.workers, batchesDecodedAhead: args.ahead },
      rows,
      notes: [
        'encodeOnly: prepared pixels through the vision model, batch after batch.',
        'endToEnd: files decoded and resized by the worker-thread pool while the GPU encodes; encoderWaitShare is the part of that time the encoder waited for images.',
        'skipped: the provider could not start on this machine (reason given); nothing is measured on a CPU fallback.',
        'pytorch: the same vision tower in PyTorch fp16 on CUDA, random pixels, encode only (bench/encode-reference.py).',
      ],
    },
    args.out,
  );
  console.error(`wrote ${written.markdown}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
