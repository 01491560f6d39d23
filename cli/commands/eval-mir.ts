// `visualref eval --world --mir`: mental-image retrieval on a test split of the synthetic world (issue
// 20, the GenIR protocol): the simulated user holds a target scene, starts from a partial description
// and adds one detail per turn (eval/mir-user.ts). Same report as `visualref eval`.
// As in GenIR, the targets are a small part of the collection searched (GenIR looks for 2,064 targets
// among 50,000 images, bench/results/eval-mir/README.md): the first 1,000 scenes of a larger test
// split are the targets, every scene of it is a candidate. Scenes are drawn independently, so the
// first 1,000 are a random sample, and the same as the targets of a 1,000-scene split.
import { join } from 'node:path';
import { z } from 'zod';
import { parseFlags } from '../args.ts';
import { UsageError } from '../usage-error.ts';
import { loadEncoders } from '../../engine/encoders/load-encoders.ts';
import { encodeCollection } from '../../eval/collection.ts';
import { loadKarpathyDataset } from '../../eval/dataset.ts';
import { runEval, type EvalReport } from '../../eval/run-eval.ts';
import { buildMirStrategies, initialDescription, mirStrategyNames } from '../../eval/mir-strategies.ts';
import { writeReportFiles } from '../../eval/report-files.ts';
import { defaultEvalWorldSeed, ensureWorldTestSplit, testSplitSize, trainingWorldSeeds, worldDatasetName } from '../../eval/world-dataset.ts';
import { loadFeedbackConfig } from '../../engine/feedback/config.ts';
import { log } from '../../engine/log.ts';

/**
 * Scenes searched by default: 10 per target (GenIR has 24, 50,000 images for 2,064 targets; rendering
 * and encoding 10,000 scenes takes minutes on two cores, 50,000 most of an hour).
 */
export const mirCollectionSize = 10_000;

export const mirUsage = `       visualref eval --world --mir [--seed N] [--model NAME] [--strategy LIST] [--turns T] [--collection N] [--limit N] [--json] [--out DIR]
  --mir            mental-image retrieval: the user starts from its target's first object (colour and
                   shape) and adds one detail per turn; strategies ${mirStrategyNames.join(', ')} (default all)
  --collection N   scenes searched (default ${mirCollectionSize}); the first ${testSplitSize} (or --limit) are the targets`;

const schema = z
  .object({
    world: z.boolean().default(false),
    mir: z.literal(true),
    seed: z.string().regex(/^\d+$/, { error: 'must be a whole number' }).transform(Number).refine((n) => n < 2 ** 32, { error: 'must be below 2^32' }).optional(),
    model: z.string().min(1).optional(),
    limit: z.string().regex(/^[1-9]\d*$/, { error: 'must be a positive whole number' }).transform(Number).optional(),
    collection: z
      .string()
      .regex(/^[1-9]\d*$/, { error: 'must be a positive whole number' })
      .transform(Number)
      .refine((n) => n <= 200_000, { error: 'must be at most 200000 (each scene is rendered and encoded)' })
      .default(mirCollectionSize),
    strategy: z
      .string()
      .default(mirStrategyNames.join(','))
      .transform((v) => [...new Set(v.split(',').map((n) => n.trim()).filter(Boolean))])
      .refine((names) => names.length > 0 && names.every((n) => (mirStrategyNames as readonly string[]).includes(n)), {
        error: `with --mir the strategies are ${mirStrategyNames.join(', ')}`,
      }),
    turns: z.coerce.number().int().min(1).max(20).default(5),
    json: z.boolean().default(false),
    out: z.string().min(1).optional(),
  })
  .refine((v) => v.world, { message: '--mir needs --world (the user must know its target scene object by object)', path: ['world'] })
  .refine((v) => v.limit === undefined || v.limit <= v.collection, { message: 'the targets (--limit) must be part of the collection (--collection)', path: ['limit'] });

const notes = (targets: number, collection: number) => [
  `mental-image retrieval (GenIR protocol): ${targets} targets, the first scenes of a test split of ${collection} scenes that are all searched; the user holds a target scene and starts from its first object (colour and shape); each turn it adds one detail; exact cosine search; the user stops once the target is first`,
  'text: the user adds a detail of its target it has not given yet, at random',
  'prediction: the user names the first difference between the best result and its target (background, a missing object, size or pattern, a relation), else a random detail',
  'generative: the world painter draws the description; the user names the first difference between the picture and its target, and the picture is searched with as an image query fused with the text (configs/feedback.yaml generated.weight)',
];

export async function runMirEval(argv: string[], format: (report: EvalReport) => string): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      world: { type: 'boolean' },
      mir: { type: 'boolean' },
      seed: { type: 'string' },
      model: { type: 'string' },
      limit: { type: 'string' },
      collection: { type: 'string' },
      strategy: { type: 'string' },
      turns: { type: 'string' },
      json: { type: 'boolean' },
      out: { type: 'string' },
    },
    schema,
    false,
  );
  const seed = values.seed ?? defaultEvalWorldSeed;
  if (trainingWorldSeeds.includes(seed)) log.warn(`world seed ${seed} was used to train the built-in model`);
  const dir = await ensureWorldTestSplit(seed, values.collection, (done) => {
    if (done % 1000 === 0) log.info(`eval: rendered ${done} scenes`);
  });
  const dataset = await loadKarpathyDataset(join(dir, 'captions.json'), { imagesDir: dir });
  dataset.name = `${worldDatasetName(seed)}-${values.collection}-mir`;
  const targets = values.limit ?? Math.min(testSplitSize, values.collection);
  if (!dataset.images.slice(0, targets).some((image) => image.objects?.length)) throw new UsageError(`${dataset.name} has no object annotations`);
  const encoders = await loadEncoders(values.model);
  try {
    const started = Date.now();
    const collection = await encodeCollection(dataset, encoders.info.model, encoders.image, encoders.text, {
      onProgress: (done) => {
        if (done % 1024 === 0 || done === dataset.images.length) log.info(`eval: encoded ${done}/${dataset.images.length} scenes`);
      },
    });
    const strategies = buildMirStrategies(values.strategy, { pictureWeight: loadFeedbackConfig().generated.weight });
    const report = await runEval(collection, {
      strategies,
      turns: values.turns,
      queryOf: initialDescription,
      targets,
      onProgress: (done, total) => {
        if (done % 100 === 0 || done === total) log.info(`eval: ${done}/${total} targets`);
      },
    });
    log.info(`eval: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (values.out) {
      const paths = writeReportFiles(values.out, report, { seed, notes: notes(targets, values.collection) });
      log.info(`eval: wrote ${paths.json}, ${paths.markdown}, ${paths.svg}`);
    }
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${format(report)}\n`);
  } finally {
    await encoders.image.dispose();
    await encoders.text.dispose();
  }
  return 0;
}
