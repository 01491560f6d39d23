// `visualref eval`: retrieval quality of a model on a captioned collection (Karpathy layout) or on a
// fresh test split of the synthetic world; query = each image's first caption, its image the target.
import { join } from 'node:path';
import { z } from 'zod';
import type { Command } from '../main.ts';
import { parseFlags } from '../args.ts';
import { UsageError } from '../usage-error.ts';
import { loadEncoders } from '../../engine/encoders/load-encoders.ts';
import { encodeCollection } from '../../eval/collection.ts';
import { cropNaming } from '../../eval/crop-naming.ts';
import { loadKarpathyDataset } from '../../eval/dataset.ts';
import { runEval, type EvalReport } from '../../eval/run-eval.ts';
import { boxStrategyNames, buildFeedbackStrategies, feedbackStrategyNames, needsBoxes, resolveStrategyNames, strategyAliases } from '../../eval/feedback-strategies.ts';
import { writeReportFiles } from '../../eval/report-files.ts';
import { loadFeedbackConfig } from '../../engine/feedback/config.ts';
import { defaultEvalWorldSeed, ensureWorldTestSplit, trainingWorldSeeds, worldDatasetName } from '../../eval/world-dataset.ts';
import { log } from '../../engine/log.ts';
import { mirUsage, runMirEval } from './eval-mir.ts';

const usage = `usage: visualref eval --captions FILE [--images DIR] [--split S] [--model NAME] [--strategy LIST] [--turns T] [--json] [--out DIR]
       visualref eval --world [--seed N] [--model NAME] [--strategy LIST] [--turns T] [--json] [--out DIR]
  --captions FILE  Karpathy captions file (images[].filename, split, sentences[].raw)
  --images DIR     folder of the images (default: the folder of FILE, or its images/)
  --split S        only the images of this split (default: all)
  --world          a fresh 1,000-scene test split of the synthetic world (cached per seed)
  --seed N         world seed (default ${defaultEvalWorldSeed}; ${trainingWorldSeeds.join(' and ')} trained the built-in model);
                   the evaluation itself has no randomness, so the same seed gives the same numbers
  --model NAME     registry name or model folder (default: the registry's default)
  --limit N        only the first N images
  --strategy LIST  feedback strategies, comma-separated, or "all": ${feedbackStrategyNames.join(', ')}
                   (also region:SOURCE[:MARKS] and region-vector[:MARKS]; old names ${Object.keys(strategyAliases).join(', ')});
                   ${boxStrategyNames.join(', ')} box objects, so they need a --world collection.
                   "none" (no feedback) is always reported, its turn-1 numbers repeated at every turn
  --turns N        turns per strategy, the first included (default 5 with --strategy, else 1)
  --captioner NAME captioner of region-caption (default: the model's, world-phrases for builtin)
  --json           print the results as JSON
  --out DIR        also write DIR/eval.json, DIR/eval.md and DIR/mrr5.svg (MRR@5 per turn)`;

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
      .transform((v, ctx): string[] => {
        if (v === undefined) return [];
        try {
          return resolveStrategyNames(v);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
          return [];
        }
      }),
    turns: z.coerce.number().int().min(1).max(20).optional(),
    captioner: z.string().min(1).optional(),
    json: z.boolean().default(false),
    out: z.string().min(1).optional(),
  })
  .refine((v) => v.world !== (v.captions !== undefined), { message: 'give either --captions FILE or --world', path: ['captions'] })
  .refine((v) => v.world || v.seed === undefined, { message: '--seed only applies with --world', path: ['seed'] });

const strategyNotes: Record<string, string> = {
  none: 'none: no feedback; its turn-1 numbers are repeated at every turn as the baseline',
  prf: 'prf: extended Rocchio over the image embeddings of the top 5 (no user)',
  grf: 'grf: extended Rocchio over caption embeddings of the top 5 (a ground-truth caption stands in for the synthetic one: optimistic)',
  explicit: 'explicit: each turn the user types another ground-truth caption of the target',
  judged: 'judged: the user marks each of the top 5 relevant (the target, or holds more than half of its objects, by colour and shape) or irrelevant',
  region: 'region: the user boxes every object of the top 5 (relevant when it matches a target object by colour and shape); marks re-rank region against region, with label-free candidate regions (configs/regions.yaml)',
  'region-crop': 'region-crop: the region user\'s boxes (as for region); their crop embeddings averaged into the query (VisualReF weights)',
  'region-caption': 'region-caption: the region user\'s boxes captioned by the configured captioner (world-phrases for builtin); the captions\' embeddings averaged into the query (VisualReF weights)',
  'region-oracle': 'region-oracle: UPPER BOUND, not a method: the region marks matched against the ground-truth object boxes of every image',
  combined: 'combined: explicit + judged move the query, region marks re-rank (weights: configs/feedback.yaml combined; the refine-query defaults, not tuned)',
  afs: 'afs: the model\'s attentive feedback summarizer over the top 5 (no user): q\' = norm(0.8 q + 0.1 p - 0.1 n), p its summary, n the eq. 8 negative from its cross-attention',
  'afs-boxes': 'afs-boxes: afs with the region user\'s boxes (as for region) adding ±5 to the cross-attention logits of the patches they cover; stops once the target is first',
  'combined-afs': 'combined-afs: afs-boxes moves the query, then combined (explicit + judged move it, region marks re-rank)',
};

function reportNotes(report: EvalReport): string[] {
  const notes = ['query = the first caption of each image, its image the only target; exact cosine search; each turn the user sees the top 5 of the previous turn; feedback accumulates'];
  for (const name of Object.keys(report.results)) if (strategyNotes[name]) notes.push(strategyNotes[name]);
  return notes;
}

export function formatReport(report: EvalReport): string {
  const lines = [`${report.dataset} · ${report.model} · ${report.queries} queries`, `${'strategy'.padEnd(20)} turn  hits@1  hits@5  hits@10  mrr@5`];
  for (const [name, turns] of Object.entries(report.results)) {
    for (const t of turns) {
      const f = (v: number) => v.toFixed(3).padStart(6);
      lines.push(`${name.padEnd(20)} ${String(t.turn).padStart(4)}  ${f(t['hits@1'])}  ${f(t['hits@5'])}  ${f(t['hits@10']).padStart(7)}  ${f(t['mrr@5'])}`);
    }
  }
  if (report.crops) lines.push(`crops named right ("colour shape" among ${report.crops.phrases}): ${report.crops.accuracy.toFixed(3)} of ${report.crops.objects} objects`);
  return lines.join('\n');
}

export const command: Command = {
  summary: 'measure retrieval and feedback on a captioned collection',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(`${usage}\n${mirUsage}\n`);
      return 0;
    }
    if (argv.includes('--mir')) return runMirEval(argv, formatReport);
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
        captioner: { type: 'string' },
        json: { type: 'boolean' },
        out: { type: 'string' },
      },
      schema,
      false,
    );
    let captionsFile = values.captions;
    let imagesDir = values.images;
    let datasetName: string | undefined;
    let seed: number | undefined;
    if (values.world) {
      seed = values.seed ?? defaultEvalWorldSeed;
      datasetName = worldDatasetName(seed);
      if (trainingWorldSeeds.includes(seed)) log.warn(`world seed ${seed} was used to train the built-in model`);
      const dir = await ensureWorldTestSplit(seed, undefined, (done) => log.info(`eval: rendered ${done} scenes`));
      captionsFile = join(dir, 'captions.json');
      imagesDir = dir;
    }
    if (!captionsFile) throw new UsageError('give either --captions FILE or --world');
    const dataset = await loadKarpathyDataset(captionsFile, { imagesDir, split: values.split });
    if (datasetName) dataset.name = datasetName;
    if (values.limit !== undefined) dataset.images = dataset.images.slice(0, values.limit);
    const boxed = values.strategy.filter(needsBoxes);
    if (boxed.length && !dataset.images.some((image) => image.objects?.length)) {
      throw new UsageError(`${boxed.join(', ')} box the objects of the shown images, and ${dataset.name} has no object boxes: use --world, or strategies that need no boxes (none, prf, grf, explicit, judged)`);
    }

    const encoders = await loadEncoders(values.model);
    try {
      const started = Date.now();
      const collection = await encodeCollection(dataset, encoders.info.model, encoders.image, encoders.text, {
        onProgress: (done) => {
          if (done % 256 === 0 || done === dataset.images.length) log.info(`eval: encoded ${done}/${dataset.images.length} images`);
        },
      });
      const strategies = await buildFeedbackStrategies(values.strategy, collection, { config: loadFeedbackConfig(), captioner: values.captioner, onProgress: log.info });
      const turns = values.turns ?? (values.strategy.length ? 5 : 1);
      const report = await runEval(collection, {
        strategies,
        turns,
        onProgress: (done, total) => {
          if (done % 100 === 0 || done === total) log.info(`eval: ${done}/${total} queries`);
        },
      });
      const crops = await cropNaming(dataset, encoders.image, encoders.text);
      if (crops) report.crops = crops;
      log.info(`eval: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if (values.out) {
        const paths = writeReportFiles(values.out, report, { seed, notes: reportNotes(report) });
        log.info(`eval: wrote ${paths.json}, ${paths.markdown}, ${paths.svg}`);
      }
      process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
    } finally {
      await encoders.image.dispose();
      await encoders.text.dispose();
    }
    return 0;
  },
};
