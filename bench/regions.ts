// Region benchmark: bytes per image in the region store, label-free proposal time per image (synthetic
// scenes and real photos), crop-encoding time per image with a model when one is given, and the
// latency of a region re-ranking turn over a store of N images (synthetic vectors).
//   node --import tsx bench/regions.ts [--n 100000] [--dim 512] [--regions 10] [--pool 500] [--model NAME|DIR] [--out DIR]
// The extraction cost (proposal + crop encoding per image, for each region source) uses --model
// (default: the built-in model when it is present, else the tiny test CLIP).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { z } from 'zod';
import { repoRoot } from '../engine/config/load-config.ts';
import { loadEncoders } from '../engine/encoders/load-encoders.ts';
import { decodeImage } from '../engine/images/decode.ts';
import { iou } from '../engine/regions/geometry.ts';
import { SegmentProposer } from '../engine/regions/segment-proposer.ts';
import { generateWorld } from '../engine/world/generate-world.ts';
import { RegionIndexer, regionEncoderOf } from '../engine/regions/region-indexer.ts';
import { loadFeedbackConfig } from '../engine/feedback/config.ts';
import { loadRegionsConfig } from '../engine/regions/config.ts';
import { createRegionProposer } from '../engine/regions/proposers.ts';
import { RegionStore, type RegionDtype } from '../engine/regions/region-store.ts';
import { rerankByRegions, type RegionMark } from '../engine/regions/rerank.ts';
import type { RgbImage } from '../engine/types.ts';
import { syntheticScene } from '../test/helpers/synthetic-scene.ts';
import { writeBenchReport, type Cell } from './report.ts';

const args = z
  .object({
    n: z.coerce.number().int().min(100).default(100_000),
    dim: z.coerce.number().int().min(2).default(512),
    regions: z.coerce.number().int().min(1).default(10),
    pool: z.coerce.number().int().min(1).optional(),
    turns: z.coerce.number().int().min(5).default(100),
    photos: z.coerce.number().int().min(0).default(20),
    model: z.string().min(1).optional(),
    out: z.string().min(1).optional(),
  })
  .parse(
    parseArgs({
      options: { n: { type: 'string' }, dim: { type: 'string' }, regions: { type: 'string' }, pool: { type: 'string' }, turns: { type: 'string' }, photos: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' } },
    }).values,
  );

const config = loadRegionsConfig();
const pool = args.pool ?? config.rerank.pool;
const { lambda, mu } = loadFeedbackConfig().regionScore;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function unitVector(rand: () => number, dim: number): Float32Array {
  const v = new Float32Array(dim);
  let n = 0;
  for (let i = 0; i < dim; i++) {
    v[i] = rand() - 0.5;
    n += v[i] * v[i];
  }
  n = Math.sqrt(n);
  for (let i = 0; i < dim; i++) v[i] /= n;
  return v;
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function proposalTimes(): Promise<Record<string, Cell>[]> {
  const proposer = createRegionProposer({ ...config, source: 'proposer' });
  const rows: Record<string, Cell>[] = [];
  const scenes: RgbImage[] = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => syntheticScene(224, 224, seed).image);
  const photosDir = join(repoRoot, '..', 'shared', 'data', 'flickr8k-1k', 'images');
  const photos: RgbImage[] = [];
  if (existsSync(photosDir)) {
    for (const name of readdirSync(photosDir).sort().slice(0, args.photos)) {
      const { data, info } = await sharp(join(photosDir, name)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      photos.push({ data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height });
    }
  }
  for (const [label, images] of [['synthetic scenes 224 px', scenes], ['Flickr8k photos (~500 × 375)', photos]] as const) {
    if (images.length === 0) continue;
    await proposer.propose(images[0]);
    const times: number[] = [];
    let boxes = 0;
    for (const image of images) {
      const t0 = performance.now();
      boxes += (await proposer.propose(image)).length;
      times.push(performance.now() - t0);
    }
    rows.push({ images: label, count: images.length, boxesPerImage: boxes / images.length, proposalMsP50: percentile(times, 50), proposalMsP95: percentile(times, 95) });
  }
  return rows;
}

/** Proposal + crop-encoding time and stored bytes per image, for each region source, with a real model. */
async function extractionCosts(): Promise<Record<string, Cell>[]> {
  const builtin = join(repoRoot, 'models', 'builtin', 'onnx', 'vision_model.onnx');
  const model = args.model ?? (existsSync(builtin) ? 'builtin' : join(repoRoot, 'test', 'models', 'tiny-clip'));
  const encoders = await loadEncoders(model);
  const rows: Record<string, Cell>[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'vr-bench-extract-'));
  try {
    const scenes = Array.from({ length: 16 }, (_, i) => ({ id: i, image: syntheticScene(224, 224, 100 + i).image }));
    for (const source of ['windows', 'proposer', 'tokens', 'cells'] as const) {
      const file = join(dir, `${source}.bin`);
      const indexer = await RegionIndexer.open(dir, regionEncoderOf(encoders.image), { ...config, source }, file);
      await indexer.add(scenes.slice(0, 2));
      const stats = await indexer.add(scenes.slice(2));
      const n = scenes.length - 2;
      rows.push({
        source,
        embed: indexer.embed,
        model: encoders.info.model.split('/').pop() ?? encoders.info.model,
        dim: encoders.info.dim,
        regionsPerImage: stats.regions / n,
        proposeMsPerImage: stats.proposeMs / n,
        encodeMsPerImage: stats.encodeMs / n,
        bytesPerImage: Math.round((indexer.store.fileBytes - 64) / indexer.store.size),
      });
      indexer.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await encoders.image.dispose();
    await encoders.text.dispose();
  }
  return rows;
}

interface GroundTruthImage {
  image: RgbImage;
  boxes: { x: number; y: number; w: number; h: number }[];
}

/** How many ground-truth objects the label-free proposals find (best IoU ≥ 0.5), on world scenes and COCO photos. */
async function proposalRecall(): Promise<Record<string, Cell>[]> {
  const proposer = new SegmentProposer(config.proposer);
  const sets: [string, GroundTruthImage[]][] = [];
  const worldDir = mkdtempSync(join(tmpdir(), 'vr-bench-world-'));
  try {
    const world = await generateWorld({ seed: 7000, count: 100, split: 'test', outDir: worldDir });
    const scenes: GroundTruthImage[] = [];
    for (const entry of world.images) {
      scenes.push({ image: await decodeImage(join(worldDir, entry.filename)), boxes: entry.objects.map((o) => ({ x: o.box[0], y: o.box[1], w: o.box[2], h: o.box[3] })) });
    }
    sets.push(['world scenes (seed 7000, 100)', scenes]);
  } finally {
    rmSync(worldDir, { recursive: true, force: true });
  }
  const coco = join(repoRoot, '..', 'shared', 'data', 'coco-mini');
  if (existsSync(join(coco, 'annotations', 'instances_val2017.json'))) {
    const ann = JSON.parse(readFileSync(join(coco, 'annotations', 'instances_val2017.json'), 'utf8')) as {
      images: { id: number; file_name: string; width: number; height: number }[];
      annotations: { image_id: number; bbox: [number, number, number, number] }[];
    };
    const photos: GroundTruthImage[] = [];
    for (const img of ann.images) {
      // Objects of at least 2% of the photo: ~10 boxes cannot be expected to find every cup and sign.
      const boxes = ann.annotations
        .filter((a) => a.image_id === img.id && a.bbox[2] * a.bbox[3] >= 0.02 * img.width * img.height)
        .map((a) => ({ x: a.bbox[0], y: a.bbox[1], w: a.bbox[2], h: a.bbox[3] }));
      if (boxes.length) photos.push({ image: await decodeImage(join(coco, 'val2017', img.file_name)), boxes });
    }
    sets.push(['COCO val photos, objects ≥ 2% of the image', photos]);
  }
  const rows: Record<string, Cell>[] = [];
  for (const [label, images] of sets) {
    let found = 0;
    let objects = 0;
    let iouSum = 0;
    let boxes = 0;
    for (const { image, boxes: truth } of images) {
      const proposals = (await proposer.propose(image)).map((p) => p.box);
      boxes += proposals.length;
      for (const t of truth) {
        const best = Math.max(0, ...proposals.map((b) => iou(b, t)));
        objects++;
        iouSum += best;
        if (best >= 0.5) found++;
      }
    }
    rows.push({ images: label, count: images.length, objects, boxesPerImage: boxes / images.length, recallAtIoU50: found / objects, meanBestIoU: iouSum / objects });
  }
  return rows;
}

function buildStore(file: string, dtype: RegionDtype): void {
  const store = RegionStore.open(file, { dim: args.dim, dtype, label: 'bench' });
  const rand = rng(1);
  const vectors = Array.from({ length: 4096 }, () => unitVector(rand, args.dim));
  const batch = [];
  for (let id = 0; id < args.n; id++) {
    const regions = [];
    for (let r = 0; r < args.regions; r++) {
      regions.push({ box: { x: r, y: r, w: 32, h: 32 }, source: 'proposer' as const, embedding: vectors[(id * 7 + r * 131) % vectors.length] });
    }
    batch.push({ id, regions });
    if (batch.length === 1000) store.put(batch.splice(0));
  }
  if (batch.length) store.put(batch);
  store.close();
}

function rerankLatency(file: string, dtype: RegionDtype, markCount: number): Record<string, Cell> {
  const store = RegionStore.open(file, { dim: args.dim, dtype, label: 'bench', readonly: true });
  const rand = rng(2 + markCount);
  const times: number[] = [];
  for (let t = 0; t < args.turns; t++) {
    const marks: RegionMark[] = Array.from({ length: markCount }, (_, i) => ({ label: `m${i}`, vector: unitVector(rand, args.dim), relevant: i % 2 === 0 }));
    const candidates = Array.from({ length: pool }, () => ({ id: Math.floor(rand() * args.n), score: rand() }));
    const t0 = performance.now();
    rerankByRegions(candidates, marks, { lambda, mu, regionsOf: (id) => store.getMatrix(id) });
    times.push(performance.now() - t0);
  }
  store.close();
  return { dtype, marks: markCount, candidates: pool, rerankMsP50: percentile(times, 50), rerankMsP95: percentile(times, 95) };
}

const proposalRows = await proposalTimes();
const extractionRows = await extractionCosts();
const recallRows = await proposalRecall();
const dir = mkdtempSync(join(tmpdir(), 'vr-bench-regions-'));
const storeRows: Record<string, Cell>[] = [];
const latencyRows: Record<string, Cell>[] = [];
try {
  for (const dtype of ['fp16', 'int8'] as const) {
    const file = join(dir, `regions-${dtype}.bin`);
    const t0 = performance.now();
    buildStore(file, dtype);
    const writeS = (performance.now() - t0) / 1000;
    const open0 = performance.now();
    RegionStore.open(file, { dim: args.dim, dtype, label: 'bench', readonly: true }).close();
    storeRows.push({ dtype, images: args.n, regionsPerImage: args.regions, dim: args.dim, bytesPerImage: Math.round(statSync(file).size / args.n), writeS, openMs: performance.now() - open0 });
    for (const marks of [2, 4, 16]) latencyRows.push(rerankLatency(file, dtype, marks));
    rmSync(file);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const settings = { n: args.n, dim: args.dim, regionsPerImage: args.regions, pool, turns: args.turns, lambda, mu };
const load = `Load average when the run ended: ${loadavg()
  .map((l) => l.toFixed(1))
  .join(' / ')} (1 / 5 / 15 min) on a machine shared with other work: timings scale with it.`;
const written = [
  writeBenchReport({
    name: 'regions-store',
    title: 'Region store: bytes per image, write and open time',
    settings,
    rows: storeRows,
    notes: ['Synthetic unit vectors; bytes per image include the 20-byte record header, 20 bytes per box and the CRC.', load],
  }),
  writeBenchReport({
    name: 'regions-extraction',
    title: 'Region extraction: proposals and crop encoding per image',
    settings: { model: String(extractionRows[0]?.model ?? ''), photos: args.photos },
    rows: [
      ...proposalRows.map((r) => ({ part: 'label-free proposals: time', ...r })),
      ...recallRows.map((r) => ({ part: 'label-free proposals: objects found', ...r })),
      ...extractionRows.map((r) => ({ part: 'proposals + crop encoding, 224 px scenes', ...r })),
    ],
    notes: [
      'Proposal = graph segmentation on a copy of at most 224 px a side + grouping + ranking (configs/regions.yaml), plus the configured windows for the proposer source.',
      'Encoding = crops cut from the original with the model preprocessing (sharp) + image encoder, in batches of 64 crops; ONNX Runtime with its default threads.',
      load,
    ],
  }, args.out),
  writeBenchReport({
    name: 'regions-rerank',
    title: `Region re-ranking: latency of one turn over ${args.n.toLocaleString('en')} images`,
    settings,
    rows: latencyRows,
    notes: [
      'A turn = read the regions of the top-N candidates from regions.bin (positional reads, page cache warm) and score every mark against every region with the feedback module regionScore; the vector-index search that yields the candidates is measured by bench/search-latency.ts.',
      'Marks alternate relevant / irrelevant; candidates are random ids.',
      load,
    ],
  }, args.out),
];
process.stderr.write(`wrote ${written.map((w) => w.markdown).join(', ')}\n`);
