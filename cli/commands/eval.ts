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
import { defaultEvalWorldSeed, ensureWorldTestSplit, trainingWorldSeeds } from '../../engine/eval/world-dataset.ts';
import { log } from '../../engine/log.ts';

const usage = `usage: visualref eval --captions FILE [--images DIR] [--split S] [--model NAME] [--json]
       visualref eval --world [--seed N] [--model NAME] [--json]
  --captions FILE  Karpathy captions file (images[].filename, split, sentences[].raw)
  --images DIR     folder of the images (default: the folder of FILE)
  --split S        only the images of this split (default: all)
  --world          a fresh 1,000-scene test split of the synthetic world (cached per seed)
  --seed N         world seed (default ${defaultEvalWorldSeed}; ${trainingWorldSeeds.join(' and ')} trained the built-in model)
  --model NAME     registry name or model folder (default: the registry's default)
  --limit N        only the first N images
  --json           print the results as JSON`;

const schema = z
  .object({
    captions: z.string().min(1).optional(),
    images: z.string().min(1).optional(),
    split: z.string().min(1).optional(),
    world: z.boolean().default(false),
    seed: z.coerce.number().int().min(0).max(2 ** 32 - 1).optional(),
    model: z.string().min(1).optional(),
    limit: z.coerce.number().int().min(1).optional(),
    json: z.boolean().default(false),
  })
  .refine((v) => v.world !== (v.captions !== undefined), { message: 'give either --captions FILE or --world', path: ['captions'] })
  .refine((v) => v.world || v.seed === undefined, { message: '--seed only applies with --world', path: ['seed'] });

export function formatReport(report: EvalReport): string {
  const lines = [`${report.dataset} · ${report.model} · ${report.queries} queries`, 'strategy     turn  hits@1  hits@5  hits@10  mrr@5'];
  for (const [name, turns] of Object.entries(report.results)) {
    for (const t of turns) {
      const f = (v: number) => v.toFixed(3).padStart(6);
      lines.push(`${name.padEnd(12)} ${String(t.turn).padStart(4)}  ${f(t['hits@1'])}  ${f(t['hits@5'])}  ${f(t['hits@10']).padStart(7)}  ${f(t['mrr@5'])}`);
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
      const report = await runEval(collection);
      log.info(`eval: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : `${formatReport(report)}\n`);
    } finally {
      await encoders.image.dispose();
      await encoders.text.dispose();
    }
    return 0;
  },
};
