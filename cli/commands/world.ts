// `visualref world`: renders a split of the synthetic scene world (PNGs + Karpathy captions.json).
import { z } from 'zod';
import type { Command } from '../main.ts';
import { parseFlags } from '../args.ts';
import { generateWorld } from '../../engine/world/generate-world.ts';
import { log } from '../../engine/log.ts';

const usage = `usage: visualref world --seed N --count M --out DIR [--split train|val|test]
  renders M scenes (224x224 PNG) and DIR/captions.json; the same seed always gives the same bytes`;

const required = { error: (issue: { input: unknown }) => (issue.input === undefined ? 'is required' : 'must be text') };
const wholeNumber = (max: number) =>
  z
    .string(required)
    .regex(/^\d+$/, { error: 'must be a whole number' })
    .transform(Number)
    .refine((n) => n <= max, { error: `must be at most ${max}` });

const schema = z.object({
  seed: wholeNumber(2 ** 32 - 1),
  count: wholeNumber(1_000_000).refine((n) => n >= 1, { error: 'must be at least 1' }),
  out: z.string(required).min(1),
  split: z.enum(['train', 'val', 'test']).default('test'),
  help: z.boolean().optional(),
});

export const command: Command = {
  summary: 'render the synthetic scene world',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const { values } = parseFlags(
      argv,
      {
        seed: { type: 'string' },
        count: { type: 'string' },
        out: { type: 'string' },
        split: { type: 'string' },
        help: { type: 'boolean' },
      },
      schema,
      false,
    );
    const started = Date.now();
    await generateWorld({ seed: values.seed, count: values.count, split: values.split, outDir: values.out }, (done) =>
      log.info(`world: ${done}/${values.count} scenes`),
    );
    log.info(`world: wrote ${values.count} ${values.split} scenes to ${values.out} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  },
};
