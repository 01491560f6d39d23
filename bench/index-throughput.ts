// Indexing benchmark: decode-only, encode-only and end-to-end images/s, with peak RSS, for a
// ViT-B/32-shaped random CLIP on CPU. Each phase runs in its own process so its peak RSS is its own.
//   npm run bench:index [-- --limit 500 --batch 16]
// The model is built once into ~/.cache/visualref-bench/clip-vit-b32 (training/build-test-models.sh).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { repoRoot } from '../engine/config/load-config.ts';
import { Library } from '../engine/library/library.ts';
import { indexFolder } from '../engine/library/indexer.ts';
import type { RgbImage } from '../engine/types.ts';
import { benchImageFolder, benchModelFolder, listImages } from './bench-inputs.ts';
import { writeBenchReport, type Cell } from './report.ts';

const args = z
  .object({
    phase: z.enum(['decode', 'encode', 'end-to-end']).optional(),
    images: z.string().optional(),
    limit: z.coerce.number().int().min(8).default(500),
    batch: z.coerce.number().int().min(1).optional(),
    model: z.string().optional(),
    out: z.string().optional(),
  })
  .parse(
    parseArgs({
      options: { phase: { type: 'string' }, images: { type: 'string' }, limit: { type: 'string' }, batch: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' } },
    }).values,
  );


interface PhaseResult {
  phase: string;
  images: number;
  seconds: number;
  imagesPerSecond: number;
  peakRssMiB: number;
}

function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function withLibrary<T>(modelDir: string, fn: (library: Library) => Promise<T>): Promise<T> {
  const data = mkdtempSync(join(tmpdir(), 'visualref-bench-data-'));
  const library = await Library.open({ dataDir: data, model: modelDir });
  try {
    return await fn(library);
  } finally {
    await library.close();
    rmSync(data, { recursive: true, force: true });
  }
}

async function runPhase(phase: NonNullable<typeof args.phase>, folder: string, modelDir: string): Promise<PhaseResult> {
  const files = listImages(folder);
  return withLibrary(modelDir, async (library) => {
    const runtime = await library.runtime();
    const batch = args.batch ?? library.indexConfig.indexer.batchSize;
    const inFlight = library.indexConfig.indexer.decodeAhead;
    const maxPixels = library.indexConfig.indexer.maxPixels;
    const prepare = async (file: string) => {
      const bytes = await readFile(file);
      await runtime.imageSize(bytes, { maxPixels });
      return runtime.prepare(bytes, undefined, { maxPixels });
    };
    let seconds: number;
    if (phase === 'decode') {
      const start = performance.now();
      let next = 0;
      await Promise.all(Array.from({ length: inFlight }, async () => {
        while (next < files.length) await prepare(files[next++]);
      }));
      seconds = (performance.now() - start) / 1000;
    } else if (phase === 'encode') {
      // The same pixels the indexer would encode, prepared beforehand and not timed.
      const pixels: RgbImage[] = [];
      for (const file of files) pixels.push(await prepare(file));
      await runtime.encodeImages(pixels.slice(0, batch)); // warm-up
      const start = performance.now();
      for (let i = 0; i < pixels.length; i += batch) await runtime.encodeImages(pixels.slice(i, i + batch));
      seconds = (performance.now() - start) / 1000;
    } else {
      await runtime.encodeImages([await prepare(files[0])]); // warm-up, as for encode-only
      const report = await indexFolder(library, { folder, batchSize: batch });
      if (report.added !== files.length) throw new Error(`indexed ${report.added} of ${files.length} images`);
      seconds = report.seconds;
    }
    return { phase, images: files.length, seconds, imagesPerSecond: files.length / seconds, peakRssMiB: peakRssMiB() };
  });
}

if (args.phase) {
  const result = await runPhase(args.phase, args.images!, args.model!);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const modelDir = benchModelFolder(args.model, 'b32', ['fp32']);
  const dir = mkdtempSync(join(tmpdir(), 'visualref-bench-index-'));
  try {
    const { folder, source } = await benchImageFolder(join(dir, 'images'), args.limit);
    const rows: Record<string, Cell>[] = [];
    for (const phase of ['decode', 'encode', 'end-to-end'] as const) {
      const child = spawnSync(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(import.meta.url), '--phase', phase, '--images', folder, '--model', modelDir, ...(args.batch ? ['--batch', String(args.batch)] : [])],
        { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      );
      if (child.status !== 0) throw new Error(`phase ${phase} failed (exit ${child.status})`);
      const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as PhaseResult;
      console.error(JSON.stringify(result));
      rows.push({ ...result });
    }
    const encode = rows.find((r) => r.phase === 'encode')!.imagesPerSecond as number;
    const endToEnd = rows.find((r) => r.phase === 'end-to-end')!.imagesPerSecond as number;
    const written = writeBenchReport({
      name: 'index-throughput',
      title: 'Indexing throughput (random ViT-B/32 CLIP, CPU)',
      settings: { images: source, model: modelDir, endToEndVsEncodeOnly: endToEnd / encode },
      rows,
      notes: [
        'decode: read + header check + decode/resize/crop to 224×224 with sharp, several files in flight.',
        'encode: the vision model on already prepared pixels, in batches.',
        'end-to-end: the indexer (scan, hash, decode, encode, SQLite commit per batch, HNSW insert and save).',
      ],
    }, args.out);
    console.error(`end-to-end / encode-only = ${(endToEnd / encode).toFixed(3)}; wrote ${written.markdown}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
