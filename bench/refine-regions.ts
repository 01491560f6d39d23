// A refine turn with boxed regions, timed through refine-query itself (the one region re-rank of
// engine/regions/rerank.ts on the product path), on a library of 100,000 images with 10 stored regions
// each. The library is a real world library (rendered scenes indexed by the built-in model, its region
// store built by the region pass) padded with synthetic images: perturbed copies of the real image and
// region vectors written straight into the store, so that they crowd the vector search and the
// candidate pool as real images would. Marks are boxes drawn on real scenes, embedded as in the product,
// in three situations: cold (images never marked nor opened: each is read, decoded and encoded in the
// turn), opened (the user opened each image to draw on it, which makes its tokens ahead, as the web
// viewer and an MCP host's image:// read do) and session (the turn adds 4 boxes to 12 of earlier turns,
// all of which are applied again).
//   node --import tsx bench/refine-regions.ts [--images 100000] [--scenes 300] [--turns 30] [--out DIR]
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Library } from '../engine/library/library.ts';
import { indexLibraryRegions } from '../engine/regions/library-regions.ts';
import { regionsFileName } from '../engine/regions/region-indexer.ts';
import { RegionStore } from '../engine/regions/region-store.ts';
import { Prng } from '../engine/world/prng.ts';
import { openToolContext } from '../tools/context.ts';
import { refineQuery } from '../tools/refine-query.ts';
import { search } from '../tools/search.ts';
import { makeWorldLibrary } from '../test/helpers/mcp-world-library.ts';
import { writeBenchReport, type Cell } from './report.ts';
import { percentile } from './synthetic-vectors.ts';

const args = z
  .object({
    images: z.coerce.number().int().min(1000).default(100_000),
    scenes: z.coerce.number().int().min(50).default(300),
    regions: z.coerce.number().int().min(1).default(10),
    turns: z.coerce.number().int().min(5).default(30),
    out: z.string().min(1).optional(),
  })
  .parse(parseArgs({ options: { images: { type: 'string' }, scenes: { type: 'string' }, regions: { type: 'string' }, turns: { type: 'string' }, out: { type: 'string' } } }).values);

function perturbed(source: Float32Array, rand: () => number, noise: number): Float32Array {
  const out = new Float32Array(source.length);
  let norm = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = source[i] + noise * (rand() * 2 - 1);
    norm += out[i] * out[i];
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < out.length; i++) out[i] /= norm;
  return out;
}

/** Synthetic images up to `args.images`, each with `args.regions` regions, written in batches. */
function pad(library: Library, realIds: number[]): number {
  const prng = new Prng(7);
  const rand = () => prng.next();
  const file = join(library.dir, regionsFileName);
  const settings = RegionStore.readSettings(file);
  if (!settings) throw new Error(`${file}: the region pass wrote no store`);
  const regions = RegionStore.open(file, settings);
  const realRegions = realIds.flatMap((id) => {
    const m = regions.getMatrix(id);
    return m ? Array.from({ length: m.count }, (_, r) => m.vectors.slice(r * library.dim, (r + 1) * library.dim)) : [];
  });
  const realVectors = realIds.map((id) => library.vector(id)!);
  const batch = 2000;
  let added = 0;
  try {
    for (let start = realIds.length; start < args.images; start += batch) {
      const count = Math.min(batch, args.images - start);
      const written = library.store.transaction(() =>
        Array.from({ length: count }, (_, i) => {
          const vector = perturbed(realVectors[Math.floor(rand() * realVectors.length)], rand, 0.08);
          const id = library.store.write({ relPath: `synthetic/${start + i}.png`, size: 1, mtimeMs: 0, hash: 'synthetic', width: 224, height: 224, status: 'indexed', vector });
          return { id, vector };
        }),
      );
      library.indexVectors(written);
      regions.put(
        written.map(({ id }) => ({
          id,
          regions: Array.from({ length: args.regions }, (_, r) => ({
            box: { x: (r % 4) * 56, y: Math.floor(r / 4) * 56, w: 56, h: 56 },
            source: 'proposer' as const,
            embedding: perturbed(realRegions[Math.floor(rand() * realRegions.length)], rand, 0.08),
          })),
        })),
      );
      added += count;
    }
    library.saveIndex();
  } finally {
    regions.close();
  }
  return added;
}

const lib = await makeWorldLibrary(args.scenes);
const buildStarted = performance.now();
try {
  const library = await Library.open({ dataDir: lib.dataDir, model: lib.model });
  let padded = 0;
  try {
    await indexLibraryRegions(library);
    padded = pad(library, library.listImages().map((r) => r.id));
  } finally {
    await library.close();
  }
  const buildS = (performance.now() - buildStarted) / 1000;
  const ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
  const rows: Record<string, Cell>[] = [];
  try {
    // Boxes on real two-object scenes: each mark is an object, alternately relevant and irrelevant.
    const boxes = lib.world.images.flatMap((scene) =>
      scene.objects.map((o, k) => ({ imageId: lib.idOf.get(scene.filename)!, box: { x: o.box[0], y: o.box[1], w: o.box[2], h: o.box[3] }, relevant: k % 2 === 0 })),
    );
    const opened = async (regions: { imageId: number }[]) => {
      for (const r of regions) ctx.warmMarkTokens(r.imageId);
      const want = new Set(regions.map((r) => r.imageId)).size;
      const deadline = Date.now() + 10_000;
      while (ctx.markTokenCache.size < want && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const situations = [
      ...[2, 4, 16].map((marks) => ({ situation: 'cold', marks, earlier: 0 })),
      ...[2, 4, 16].map((marks) => ({ situation: 'opened', marks, earlier: 0 })),
      { situation: 'session', marks: 16, earlier: 12 },
    ];
    for (const { situation, marks, earlier } of situations) {
      const times: number[] = [];
      for (let t = 0; t < args.turns; t++) {
        const scene = lib.world.images[t % lib.world.images.length];
        const found = await search(ctx, { text: scene.sentences[0].raw, k: 12 });
        const regions = Array.from({ length: marks }, (_, i) => ({ ...boxes[(t * 17 + i * 5) % boxes.length], units: 'px' as const }));
        ctx.markTokenCache.clear();
        // Earlier turns of the session, 4 boxes each; the measured turn adds the rest.
        for (let e = 0; e < earlier; e += 4) await refineQuery(ctx, { sessionId: found.sessionId, regions: regions.slice(e, e + 4), k: 12 });
        if (situation === 'opened') await opened(regions);
        const started = performance.now();
        await refineQuery(ctx, { sessionId: found.sessionId, regions: regions.slice(earlier), k: 12 });
        times.push(performance.now() - started);
      }
      rows.push({ situation, images: ctx.library.status().images, regionsPerImage: args.regions, dim: ctx.library.dim, marks, newImages: marks - earlier, pool: ctx.config.regions.rerank.pool, turns: args.turns, refineMsP50: percentile(times.sort((a, b) => a - b), 50), refineMsP95: percentile(times, 95), loadavg: loadavg()[0] });
    }
  } finally {
    await ctx.close();
  }
  const written = writeBenchReport(
    {
      name: 'refine-regions',
      title: 'Refine turn with boxed regions, through refine-query',
      settings: { images: args.images, padded, scenes: args.scenes, regionsPerImage: args.regions, turns: args.turns, model: lib.model, buildS },
      rows,
      notes: [
        'Whole refine-query call: each mark (a box without a caption, each on another scene) embedded as the regions are (configs/regions.yaml embed: one encoder pass for the marked images not in the token cache), HNSW pool of rerank.pool with the candidates\' regions read while the marks are embedded, region re-rank with the SIMD kernel in one call, session write. cold: the token cache emptied before the turn; opened: each marked image opened first (ctx.warmMarkTokens, what the web viewer and an MCP image:// read do), the turn starting once its tokens are made; session: 12 boxes from three earlier turns of 4 plus 4 new ones, the cache emptied before the first. loadavg: 1-minute load average at the end of each row.',
        'Target (issue 14): p50 < 50 ms for 2, 4 and 16 marks.',
      ],
    },
    args.out,
  );
  console.log(written.markdown);
} finally {
  lib.remove();
}
