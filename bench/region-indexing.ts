// What the region store adds to indexing: CPU-ms and wall-ms per image of `visualref index` with
// and without regions (the same code path: buildLibrary), for the built-in model and for a ViT-B/32-
// shaped random CLIP (int8). The targets (issue 18): with regions ≤ 2× without for the built-in
// model, ≤ 1.5× for the ViT-B/32 shape. CPU time is the process's (ONNX Runtime's threads included),
// taken around the index run only (model loading excluded); the load average is written beside it,
// since the machine is shared.
//   node --import tsx bench/region-indexing.ts [--limit 100] [--b32 DIR] [--out DIR]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { buildLibrary } from '../engine/library/build-library.ts';
import { Library } from '../engine/library/library.ts';
import type { ModelDtype } from '../engine/encoders/model-folder.ts';
import { loadRegionsConfig, type RegionSource } from '../engine/regions/config.ts';
import { benchImageFolder, benchModelFolder } from './bench-inputs.ts';
import { writeBenchReport, type Cell } from './report.ts';

const args = z
  .object({
    limit: z.coerce.number().int().min(8).default(100),
    b32: z.string().min(1).optional(),
    out: z.string().min(1).optional(),
  })
  .parse(parseArgs({ options: { limit: { type: 'string' }, b32: { type: 'string' }, out: { type: 'string' } } }).values);

interface Run {
  cpuMsPerImage: number;
  wallMsPerImage: number;
  regionSeconds: number | null;
  load1: number;
}

async function indexOnce(folder: string, images: number, model: string, dtype: ModelDtype, regions: RegionSource | undefined): Promise<Run> {
  const data = mkdtempSync(join(tmpdir(), 'visualref-bench-regions-'));
  const library = await Library.open({ dataDir: data, model, runtime: { dtype } });
  try {
    await library.runtime();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const built = await buildLibrary(library, { folder, regions: regions !== undefined, regionsConfig: { ...loadRegionsConfig(), source: regions ?? 'proposer' } });
    const wall = performance.now() - started;
    const used = process.cpuUsage(cpu);
    if (built.images.added !== images) throw new Error(`indexed ${built.images.added} of ${images} images`);
    return {
      cpuMsPerImage: (used.user + used.system) / 1000 / images,
      wallMsPerImage: wall / images,
      regionSeconds: built.regions ? built.regions.seconds : null,
      load1: loadavg()[0],
    };
  } finally {
    await library.close();
    rmSync(data, { recursive: true, force: true });
  }
}

const { folder, source: imageSource } = await benchImageFolder(join(tmpdir(), 'visualref-bench-region-images'), args.limit);
const models: { name: string; model: string; dtype: ModelDtype; target: number }[] = [
  { name: 'builtin', model: 'builtin', dtype: 'fp32', target: 2 },
  { name: 'ViT-B/32 shape (random)', model: benchModelFolder(args.b32, 'b32', ['q8']), dtype: 'q8', target: 1.5 },
];
const rows: Record<string, Cell>[] = [];
for (const m of models) {
  const without = await indexOnce(folder, args.limit, m.model, m.dtype, undefined);
  for (const source of ['proposer', 'cells'] as const) {
    const withRegions = await indexOnce(folder, args.limit, m.model, m.dtype, source);
    const ratio = withRegions.cpuMsPerImage / without.cpuMsPerImage;
    rows.push({
      model: m.name,
      dtype: m.dtype,
      source,
      images: args.limit,
      cpuMsPerImageWithout: without.cpuMsPerImage,
      cpuMsPerImageWith: withRegions.cpuMsPerImage,
      cpuRatio: ratio,
      wallRatio: withRegions.wallMsPerImage / without.wallMsPerImage,
      regionSeconds: withRegions.regionSeconds,
      target: `≤ ${m.target}×`,
      met: ratio <= m.target,
      load1: `${without.load1.toFixed(1)} / ${withRegions.load1.toFixed(1)}`,
    });
    console.error(`${m.name} ${source}: ${without.cpuMsPerImage.toFixed(1)} → ${withRegions.cpuMsPerImage.toFixed(1)} CPU-ms/image (${ratio.toFixed(2)}×), load ${loadavg()[0].toFixed(1)}`);
  }
}
const paths = writeBenchReport(
  {
    name: 'region-indexing',
    title: 'Region indexing: CPU-ms per image with and without the region store',
    settings: { images: args.limit, imageSource },
    rows,
    notes: [
      'Regions from the image pass (configs/regions.yaml `embed: tokens`): the index run asks the encoder for its per-token outputs too, and each batch\'s regions are pooled from them; the region work per image is a decode at the proposer\'s size, the label-free proposer and the pooling.',
      'source: proposer = the label-free segment proposer (at configs/regions.yaml workSide) on a decode at that size, plus 9 windows; cells = proposals ranked on the token grid itself (engine/regions/cell-proposer.ts) plus 9 windows, no pixels read.',
      'load1: the 1-minute load average after the run without / with regions (a shared 2-core machine inflates wall time far more than CPU time).',
    ],
  },
  args.out,
);
console.error(`wrote ${paths.markdown}`);
