// Issue 18's quality bar: region feedback with the default regions and marks (configs/regions.yaml)
// against the crop-encoded regions it replaced (segment proposer at workSide + its windows, each box
// cut out and encoded, crop marks), on world splits of several seeds: the test split (1000) and seeds
// no choice was made on. Gain = region MRR@5 at turn 2 − MRR@5 of the plain search; share = gain / the
// crop reference's gain on the same seed; gainScoreBefore = the default regions with the region score
// of before (scoreBefore). Regions are cached per collection and settings
// (eval/strategies/collection-regions.ts), so a rerun only replays the queries.
//   node --import tsx bench/region-quality.ts [--seeds 1000,4000,5000,6000] [--turns 2] [--limit N] [--out DIR]
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadEncoders } from '../engine/encoders/load-encoders.ts';
import { log } from '../engine/log.ts';
import { loadFeedbackConfig } from '../engine/feedback/config.ts';
import { loadRegionsConfig } from '../engine/regions/config.ts';
import { encodeCollection } from '../eval/collection.ts';
import { loadKarpathyDataset } from '../eval/dataset.ts';
import { runEval } from '../eval/run-eval.ts';
import { regionStrategy } from '../eval/strategies/region.ts';
import { defaultEvalWorldSeed, ensureWorldTestSplit, trainingWorldSeeds, worldDatasetName } from '../eval/world-dataset.ts';
import { writeBenchReport, type Cell } from './report.ts';

// The world seed settings were chosen on (configs/feedback.yaml, configs/regions.yaml).
const validationSeed = 3000;
// configs/feedback.yaml regionScore before issue 18 (μ raised on the validation seed since): the
// crop reference is scored as it was, and the default regions are also shown with it.
const scoreBefore = { lambda: 1, mu: 0.5 };

const args = z
  .object({
    seeds: z
      .string()
      .regex(/^\d+(,\d+)*$/, { error: '--seeds must be whole numbers separated by commas' })
      .default('1000,4000,5000,6000')
      .transform((s) => s.split(',').map(Number))
      .refine((seeds) => !seeds.some((s) => trainingWorldSeeds.includes(s)), { error: `--seeds must avoid the training seeds ${trainingWorldSeeds.join(', ')}` }),
    turns: z.coerce.number().int().min(2).max(10).default(2),
    limit: z.coerce.number().int().min(1).optional(),
    out: z.string().min(1).optional(),
  })
  .parse(parseArgs({ options: { seeds: { type: 'string' }, turns: { type: 'string' }, limit: { type: 'string' }, out: { type: 'string' } } }).values);

const config = loadRegionsConfig();
const scoring = loadFeedbackConfig().regionScore;
const reference = { ...config, source: 'proposer' as const, embed: 'crops' as const, rerank: { ...config.rerank, marks: 'crop' as const } };
const round = (x: number) => Number(x.toFixed(4));
const rows: Record<string, Cell>[] = [];
const encoders = await loadEncoders();
try {
  for (const seed of args.seeds) {
    const load = [loadavg()[0]];
    const started = performance.now();
    const dataset = await loadKarpathyDataset(join(await ensureWorldTestSplit(seed), 'captions.json'));
    dataset.name = worldDatasetName(seed);
    if (args.limit) dataset.images = dataset.images.slice(0, args.limit);
    const collection = await encodeCollection(dataset, encoders.info.model, encoders.image, encoders.text);
    const report = await runEval(collection, {
      strategies: [regionStrategy({ name: 'region', config }), regionStrategy({ name: 'region-before', config, ...scoreBefore }), regionStrategy({ name: 'crops', config: reference, ...scoreBefore })],
      turns: args.turns,
      onProgress: (done, total) => done % 250 === 0 && log.info(`seed ${seed}: ${done}/${total} queries`),
    });
    load.push(loadavg()[0]);
    const at = (name: string) => report.results[name][1]['mrr@5'];
    const base = report.results.none[0]['mrr@5'];
    const gain = at('region') - base;
    const referenceGain = at('crops') - base;
    rows.push({
      seed,
      split: seed === defaultEvalWorldSeed ? 'test' : seed === validationSeed ? 'validation' : 'hidden',
      queries: report.queries,
      mrr5Search: round(base),
      mrr5Region: round(at('region')),
      gain: round(gain),
      gainScoreBefore: round(at('region-before') - base),
      mrr5Crops: round(at('crops')),
      gainCrops: round(referenceGain),
      share: round(gain / referenceGain),
      minutes: Number(((performance.now() - started) / 60_000).toFixed(1)),
      load1: load.map((l) => l.toFixed(1)).join(' / '),
    });
    log.info(`seed ${seed}: gain ${gain.toFixed(3)} against ${referenceGain.toFixed(3)} with crops (${((100 * gain) / referenceGain).toFixed(0)}%)`);
  }
} finally {
  await encoders.image.dispose();
  await encoders.text.dispose();
}
const paths = writeBenchReport(
  {
    name: 'region-quality',
    title: 'Region feedback quality: default regions and marks against the crop-encoded regions they replaced',
    settings: {
      model: encoders.info.model,
      turns: args.turns,
      regions: `source ${config.source}, embed ${config.embed}, marks ${config.rerank.marks}`,
      score: `λ ${scoring.lambda}, μ ${scoring.mu} (configs/feedback.yaml regionScore; before: λ ${scoreBefore.lambda}, μ ${scoreBefore.mu})`,
      crops: `source proposer, embed crops, marks crop (workSide ${config.proposer.workSide}), λ ${scoreBefore.lambda}, μ ${scoreBefore.mu}: the regions before issue 18`,
      target: 'gain at turn 2 ≥ 0.9 × the crop gain (issue 18); on the test split ≥ 0.9 × 0.214 = 0.193',
    },
    rows,
    notes: [
      'Query = the first caption of each scene, its scene the only target; the simulated region user (eval/strategies/region-user.ts) boxes every object of the top 5; marks re-rank region against region (configs/feedback.yaml regionScore).',
      'split: test = the evaluation split (seed 1000, bench/results/eval-world); hidden = world seeds that no setting was chosen on (not the training seeds 1 and 2, not the validation seed 3000).',
      'minutes: wall time of the seed, building any regions not cached included; load1: the 1-minute load average at its start / end (shared 2-core machine).',
    ],
  },
  args.out,
);
console.error(`wrote ${paths.markdown}`);
