// A refine-query turn with the afs feedback source (the built-in model's attentive feedback
// summarizer over the previous top 5, tokens recomputed each turn: decode, resize, encode with patch
// tokens, then the AFS graph) on a world library, against the same turn with PRF for comparison.
//   node --import tsx bench/afs-refine.ts [--scenes 300] [--turns 100] [--out DIR]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { openToolContext } from '../tools/context.ts';
import { refineQuery } from '../tools/refine-query.ts';
import { search } from '../tools/search.ts';
import { makeWorldLibrary } from '../test/helpers/mcp-world-library.ts';
import { writeBenchReport, type Cell } from './report.ts';

const args = z
  .object({
    scenes: z.coerce.number().int().min(20).default(300),
    turns: z.coerce.number().int().min(5).default(100),
    out: z.string().min(1).optional(),
  })
  .parse(parseArgs({ options: { scenes: { type: 'string' }, turns: { type: 'string' }, out: { type: 'string' } } }).values);

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const lib = await makeWorldLibrary(args.scenes);
const ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
const rows: Record<string, Cell>[] = [];
try {
  for (const source of ['afs', 'prf'] as const) {
    const times: number[] = [];
    const loadBefore = loadavg()[0];
    // Warm-up: loads the AFS graph and the encoders' first runs.
    for (let i = 0; i < args.turns + 3; i++) {
      const scene = lib.world.images[i % lib.world.images.length];
      const found = await search(ctx, { text: scene.sentences[0].raw, k: 10 });
      const started = performance.now();
      await refineQuery(ctx, { sessionId: found.sessionId, weights: { [source]: 0.1 } });
      if (i >= 3) times.push(performance.now() - started);
    }
    rows.push({
      source,
      turns: times.length,
      p50Ms: percentile(times, 50),
      p95Ms: percentile(times, 95),
      loadBefore: Number(loadBefore.toFixed(2)),
      loadAfter: Number(loadavg()[0].toFixed(2)),
    });
  }
} finally {
  await ctx.close();
  lib.remove();
}
const written = writeBenchReport(
  {
    name: 'afs-refine',
    title: 'refine-query turn with the attentive feedback summarizer (CPU, built-in model)',
    settings: { scenes: args.scenes, turns: args.turns, model: lib.model, items: 5, target: 'afs p50 < 100 ms' },
    rows,
    notes: ['afs: the top 5 of the previous turn are decoded, resized and encoded with their patch tokens every turn (no token cache), then the AFS graph runs once.'],
  },
  args.out,
);
console.error(`wrote ${written.markdown}`);
