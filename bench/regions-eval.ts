// Region feedback on a fresh test split of the synthetic world (1,000 scenes, a seed no training used),
// with the simulated region user, 5 turns: none, region-against-region re-ranking for each region
// source, and the single-vector VisualReF way. Heavy (tens of minutes on 2 cores; regions are cached).
//   node --import tsx bench/regions-eval.ts [--model NAME|DIR] [--seed N] [--turns 5] [--limit N]
//        [--strategies region:proposer,region:windows,region:tokens,region-vector] [--captions FILE]
//        [--lambda L] [--mu M] [--pool N]   (default: configs/feedback.yaml regionScore, configs/regions.yaml)
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadEncoders } from '../engine/encoders/load-encoders.ts';
import { encodeCollection } from '../eval/collection.ts';
import { loadKarpathyDataset } from '../eval/dataset.ts';
import { runEval } from '../eval/run-eval.ts';
import { regionStrategyFromName } from '../eval/strategies/region.ts';
import { defaultEvalWorldSeed, ensureWorldTestSplit, trainingWorldSeeds } from '../eval/world-dataset.ts';
import { log } from '../engine/log.ts';
import { writeBenchReport, type Cell } from './report.ts';

const args = z
  .object({
    model: z.string().min(1).optional(),
    seed: z.coerce.number().int().min(0).default(defaultEvalWorldSeed),
    turns: z.coerce.number().int().min(2).max(10).default(5),
    limit: z.coerce.number().int().min(1).optional(),
    strategies: z.string().default('region:proposer,region:windows,region:tokens,region-vector'),
    captions: z.string().optional(),
    lambda: z.coerce.number().min(0).optional(),
    mu: z.coerce.number().min(0).optional(),
    pool: z.coerce.number().int().min(1).optional(),
  })
  .parse(
    parseArgs({
      options: { model: { type: 'string' }, seed: { type: 'string' }, turns: { type: 'string' }, limit: { type: 'string' }, strategies: { type: 'string' }, captions: { type: 'string' }, lambda: { type: 'string' }, mu: { type: 'string' }, pool: { type: 'string' } },
    }).values,
  );

if (!args.captions && trainingWorldSeeds.includes(args.seed)) throw new Error(`world seed ${args.seed} trained the built-in model`);
const captions = args.captions ?? join(await ensureWorldTestSplit(args.seed, undefined, (n) => n % 250 === 0 && log.info(`rendered ${n} scenes`)), 'captions.json');
const dataset = await loadKarpathyDataset(captions);
if (args.limit) dataset.images = dataset.images.slice(0, args.limit);
const strategies = args.strategies.split(',').map((name) => {
  const s = regionStrategyFromName(name.trim(), { lambda: args.lambda, mu: args.mu, pool: args.pool });
  if (!s) throw new Error(`unknown region strategy "${name}"`);
  return s;
});
const encoders = await loadEncoders(args.model);
try {
  const collection = await encodeCollection(dataset, encoders.info.model, encoders.image, encoders.text);
  const started = performance.now();
  const report = await runEval(collection, {
    strategies,
    turns: args.turns,
    onProgress: (done, total) => done % 100 === 0 && log.info(`eval: ${done}/${total} queries, ${((performance.now() - started) / 1000).toFixed(0)} s`),
  });
  const rows: Record<string, Cell>[] = [];
  for (const [strategy, turns] of Object.entries(report.results)) {
    for (const t of turns) rows.push({ strategy, turn: t.turn, 'hits@1': t['hits@1'], 'hits@5': t['hits@5'], 'hits@10': t['hits@10'], 'mrr@5': t['mrr@5'] });
  }
  const paths = writeBenchReport({
    name: 'regions-eval',
    title: 'Region feedback on the synthetic world, simulated region user',
    settings: { dataset: report.dataset, captions, model: report.model, queries: report.queries, turns: args.turns, lambda: args.lambda ?? 'config', mu: args.mu ?? 'config', pool: args.pool ?? 'config' },
    rows,
    notes: [
      'Query = first caption of each scene, its scene the only target; exact cosine search.',
      'Simulated user (docs/feedback.md): unless the target is first, every object of the top 5 that matches a target object by colour and shape is boxed relevant, every other object irrelevant; boxes = ground-truth boxes of the shown images; marks accumulate.',
      'region:SOURCE = region-against-region re-ranking of the candidate pool (configs/regions.yaml) with regions from SOURCE only (never ground truth); region-vector = one query vector, VisualReF weights (configs/feedback.yaml).',
      `Evaluation time after encoding: ${((performance.now() - started) / 1000).toFixed(0)} s (includes building the regions of the collection when not cached).`,
    ],
  });
  process.stderr.write(`wrote ${paths.markdown}\n`);
} finally {
  await encoders.image.dispose();
  await encoders.text.dispose();
}
