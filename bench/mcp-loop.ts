// The search → caption-region → refine-query loop through the MCP server (stdio, the SDK client), as a
// client such as Claude Desktop drives it, on a world library indexed with the built-in model.
// Each target is a two-object scene searched for by its first object only ("a red circle"); the user
// boxes the scene's second object as relevant and refines. Measured without and with the region index.
//   node --import tsx bench/mcp-loop.ts [--scenes 300] [--targets 50] [--out DIR]
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { Library } from '../engine/library/library.ts';
import { indexLibraryRegions } from '../engine/regions/library-regions.ts';
import type { CaptionRegionOutput, RefineQueryOutput, SearchOutput } from '../tools/contract/schemas.ts';
import { callOk, stdioClient } from '../test/helpers/mcp-client.ts';
import { makeWorldLibrary, worldSeed, type WorldLibrary } from '../test/helpers/mcp-world-library.ts';
import { writeBenchReport, type Cell } from './report.ts';

const args = z
  .object({
    scenes: z.coerce.number().int().min(20).default(300),
    targets: z.coerce.number().int().min(1).default(50),
    out: z.string().min(1).optional(),
  })
  .parse(parseArgs({ options: { scenes: { type: 'string' }, targets: { type: 'string' }, out: { type: 'string' } } }).values);

const K = 100;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function metrics(ranks: number[]): Record<string, number> {
  return {
    'hits@1': ranks.filter((r) => r === 1).length / ranks.length,
    'hits@10': ranks.filter((r) => r <= 10).length / ranks.length,
    'mrr@5': ranks.reduce((s, r) => s + (r <= 5 ? 1 / r : 0), 0) / ranks.length,
    medianRank: median(ranks),
  };
}

async function loop(lib: WorldLibrary, regionIndex: boolean): Promise<Record<string, Cell>> {
  const { client } = await stdioClient(lib.dataDir, lib.model);
  const before: number[] = [];
  const after: number[] = [];
  const started = performance.now();
  try {
    for (const scene of lib.world.images) {
      if (scene.objects.length < 2 || before.length >= args.targets) continue;
      const [a, b] = scene.objects;
      const target = lib.idOf.get(scene.filename)!;
      const { output: found } = await callOk<SearchOutput>(client, 'search', { text: `a ${a.colour} ${a.shape}`, k: K });
      const [x, y, w, h] = b.box;
      await callOk<CaptionRegionOutput>(client, 'caption-region', { imageId: target, box: { x, y, w, h }, units: 'px', relevant: true, sessionId: found.sessionId });
      const { output: refined } = await callOk<RefineQueryOutput>(client, 'refine-query', { sessionId: found.sessionId, k: K });
      // Beyond the k results: counted as rank k + 1.
      before.push(found.results.find((r) => r.id === target)?.rank ?? K + 1);
      after.push(refined.results.find((r) => r.id === target)?.rank ?? K + 1);
    }
  } finally {
    await client.close();
  }
  const m0 = metrics(before);
  const m1 = metrics(after);
  return {
    regionIndex: regionIndex ? 'yes' : 'no (whole image as the only region)',
    targets: before.length,
    'hits@1': `${m0['hits@1'].toFixed(2)} → ${m1['hits@1'].toFixed(2)}`,
    'hits@10': `${m0['hits@10'].toFixed(2)} → ${m1['hits@10'].toFixed(2)}`,
    'mrr@5': `${m0['mrr@5'].toFixed(3)} → ${m1['mrr@5'].toFixed(3)}`,
    medianRank: `${m0.medianRank} → ${m1.medianRank}`,
    improved: before.filter((r, i) => after[i] < r).length,
    worse: before.filter((r, i) => after[i] > r).length,
    msPerLoop: (performance.now() - started) / before.length,
  };
}

const lib = await makeWorldLibrary(args.scenes);
try {
  const rows = [await loop(lib, false)];
  const library = await Library.open({ dataDir: lib.dataDir, model: lib.model });
  let regions = 0;
  try {
    regions = (await indexLibraryRegions(library)).regions;
  } finally {
    await library.close();
  }
  rows.push(await loop(lib, true));
  const written = writeBenchReport(
    {
      name: 'mcp-loop',
      title: 'search → caption-region → refine-query through the MCP server',
      settings: { model: lib.model, worldSeed, scenes: args.scenes, k: K, regionsIndexed: regions },
      rows,
      notes: [
        'Targets: the first scenes with two or more objects; the query names the first object ("a <colour> <shape>"), the relevant box is the second object on the target; one refine turn.',
        'Ranks beyond k count as k + 1. msPerLoop: the three tool calls over stdio, server included.',
      ],
    },
    args.out,
  );
  process.stderr.write(`wrote ${written.markdown}\n`);
} finally {
  lib.remove();
}
