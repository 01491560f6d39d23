// `visualref eval`: retrieval quality of a model on a captioned collection (Karpathy layout) or on a
// fresh test split of the synthetic world; query = each image's first caption, its image the target.
import { join } from 'node:path';
import { z } from 'zod';
import type { Command } from '../main.ts';
import { parseFlags } from '../args.ts';
import { UsageError } from '../usage-error.ts';
import { loadEncoders } from '../../engine/encoders/load-encoders.ts';
import { encodeCollection } from '../../engine/eval/collection.ts';
import { loadKarpathyDataset } from '../../engine/eval/dataset.ts';
import { runEval, type EvalReport } from '../../engine/eval/run-eval.ts';
import { buildFeedbackStrategies, feedbackStrategyNames, type FeedbackStrategyName } from '../../engine/eval/feedback-strategies.ts';
import { loadFeedbackConfig } from '../../agent/feedback/config.ts';
import { defaultEvalWorldSeed, ensureWorldTestSplit, trainingWorldSeeds } from '../../engine/eval/world-dataset.ts';
import { log } from '../../engine/log.ts';

const usage = `usage: visualref eval --captions FILE [--images DIR] [--split S] [--model NAME] [--json]
       visualref eval --world [--seed N] [--model NAME] [--json]
  --captions FILE  Karpathy captions file (images[].filename, split, sentences[].raw)
  --images DIR     folder of the images (default: the folder of FILE, or its images/)
  --split S        only the images of this split (default: all)
  --world          a fresh 1,000-scene test split of the synthetic world (cached per seed)
  --seed N         world seed (default ${defaultEvalWorldSeed}; ${trainingWorldSeeds.join(' and ')} trained the built-in model)
  --model NAME     registry name or model folder (default: the registry's default)
  --limit N        only the first N images
  --strategy LIST  feedback strategies, comma-separated, or "all": ${feedbackStrategyNames.join(', ')}
  --turns N        turns per strategy, the first included (default 4 with --strategy, else 1)
  --json           print the results as JSON`;

const schema = z
  .object({
    captions: z.string().min(1).optional(),
    images: z.string().min(1).optional(),
    split: z.string().min(1).optional(),
    world: z.boolean().default(false),
    seed: z.string().regex(/^\d+$/, { error: 'must be a whole number' }).transform(Number).refine((n) => n < 2 ** 32, { error: 'must be below 2^32' }).optional(),
    model: z.string().min(1).optional(),
    limit: z.string().regex(/^[1-9]\d*$/, { error: 'must be a positive whole number' }).transform(Number).optional(),
    strategy: z
      .string()
      .optional()
      .transform((v, ctx): FeedbackStrategyName[] => {
        if (v === undefined) return [];
        const names = v === 'all' ? [...feedbackStrategyNames] : v.split(',').map((n) => n.trim());
        const unknown = names.filter((n) => !(feedbackStrategyNames as readonly string[]).includes(n));
        if (unknown.length) ctx.addIssue({ code: 'custom', message: `unknown strategy ${unknown.join(', ')} (known: ${feedbackStrategyNames.join(', ')})` });
        return [...new Set(names)] as FeedbackStrategyName[];
      }),
    turns: z.coerce.number().int().min(1).max(20).optional(),
    json: z.boolean().default(false),
  })
  .refine((v) => v.world !== (v.captions !== undefined), { message: 'give either --captions FILE or --world', path: ['captions'] })
  .refine((v) => v.world || v.seed === undefined, { message: '--seed only applies with --world', path: ['seed'] });

export function formatReport(report: EvalReport): string {
  const lines = [`${report.dataset} · ${report.model} · ${report.queries} queries`, `${'strategy'.padEnd(20)} turn  hits@1  hits@5  hits@10  mrr@5`];
  for (const [name, turns] of Object.entries(report.results)) {
    for (const t of turns) {
      const f = (v: number) => v.toFixed(3).padStart(6);
      lines.push(`${name.padEnd(20)} ${String(t.turn).padStart(4)}  ${f(t['hits@1'])}  ${f(t['hits@5'])}  ${f(t['hits@10']).padStart(7)}  ${f(t['mrr@5'])}`);
    }
  }
  return lines.join('\n');
}

export const command: Command = {
  summary: 'measure retrieval and feedback on a captioned collection',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stderr.write(`${usage}\n`);
      return 0;
    }
    const { values } = parseFlags(
      argv,
      {
        captions: { type: 'string' },
        images: { type: 'string' },
        split: { type: 'string' },
        world: { type: 'boolean' },
        seed: { type: 'string' },
        model: { type: 'string' },
        limit: { type: 'string' },
        strategy: { type: 'string' },
        turns: { type: 'string' },
        json: { type: 'boolean' },
      },
      schema,
      false,
    );
    let captionsFile = values.captions;
    let imagesDir = values.images;
    let datasetName: string | undefined;
    if (values.world) {
      const seed = values.seed ?? defaultEvalWorldSeed;
      datasetName = `world-test-seed${seed}`;
      if (trainingWorldSeeds.includes(seed)) log.warn(`world seed ${seed} was used to train the built-in model`);
      const dir = await ensureWorldTestSplit(seed, undefined, (done) => log.info(`eval: rendered ${done} scenes`));
      captionsFile = join(dir, 'captions.json');
      imagesDir = dir;
    }
    if (!captionsFile) throw new UsageError('give either --captions FILE or --world');
    const dataset = await loadKarpathyDataset(captionsFile, { imagesDir, split: values.split });
    if (datasetName) dataset.name = datasetName;
    if (values.limit !== undefined) dataset.images = dataset.images.slice(0, values.limit);

    const encoders = await loadEncoders(values.model);
    try {
      const started = Date.now();
      const collection = await encodeCollection(dataset, encoders.info.model, encoders.image, encoders.text, {
        onProgress: (done) => {
          if (done % 256 === 0 || done === dataset.images.length) log.info(`eval: encoded ${done}/${dataset.images.length} images`);
        },
      });
      const strategies = await buildFeedbackStrategies(values.strategy, collection, { config: loadFeedbackConfig(), onProgress: log.info });
      const turns = values.turns ?? (strategies.length ? 4 : 1);
      const report = await runEval(collection, { strategies, turns });
      log.info(`eval: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
    } finally {
      await encoders.image.dispose();
      await encoders.text.dispose();
    }
    return 0;
  },
};
