// visualref caption-all: captions every image of the library for generative relevance feedback, as a
// resumable job. Ctrl-C (SIGINT) or SIGTERM stops it after the caption in flight; --cancel asks a
// job running in another process to stop; running it again goes on where it stopped.
import { z } from 'zod';
import { parseFlags } from '../args.ts';
import type { Command } from '../main.ts';
import { UsageError } from '../usage-error.ts';
import { log } from '../../engine/log.ts';
import { openExistingLibrary } from '../../engine/library/open-existing.ts';
import { CaptionStore } from '../../engine/captioners/caption-store.ts';
import { captionAll, cancelCaptionJobs } from '../../engine/captioners/caption-all.ts';
import { captionerForLibrary } from '../../engine/captioners/for-library.ts';

const rate = z
  .string()
  .regex(/^\d+(\.\d+)?(\/s)?$/, 'a rate is a number of captions per second, e.g. 2 or 0.5/s')
  .transform((s) => Number.parseFloat(s))
  .refine((n) => n > 0, 'the rate must be above 0');

const flags = z.object({
  captioner: z.string().min(1).optional(),
  prompt: z.string().min(1).optional(),
  rate: rate.optional(),
  cancel: z.boolean().optional(),
  'retry-failed': z.boolean().optional(),
  model: z.string().min(1).optional(),
  data: z.string().min(1).optional(),
  provider: z.enum(['cpu', 'webgpu', 'cuda']).optional(),
  help: z.boolean().optional(),
});

const usage = `usage: visualref caption-all [--captioner NAME] [--prompt NAME] [--rate N/s] [--retry-failed]
       visualref caption-all --cancel
options: --model NAME|PATH  --data DIR  --provider cpu|webgpu|cuda
Captions every image without a caption from this captioner and prompt version (default prompt: grf).
Ctrl-C stops after the caption in flight; run again to resume.`;

export const command: Command = {
  summary: 'caption the whole collection in the background',
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        captioner: { type: 'string' },
        prompt: { type: 'string' },
        rate: { type: 'string' },
        cancel: { type: 'boolean' },
        'retry-failed': { type: 'boolean' },
        model: { type: 'string' },
        data: { type: 'string' },
        provider: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      flags,
      false,
    );
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const library = await openExistingLibrary({ dataDir: values.data, model: values.model, provider: values.provider });
    const store = new CaptionStore(library.db);
    try {
      if (values.cancel) {
        if (values.captioner || values.rate || values.prompt || values['retry-failed']) throw new UsageError('--cancel takes no other option than --model and --data');
        const jobs = cancelCaptionJobs(store);
        if (jobs.length === 0) process.stdout.write('no caption-all job is running\n');
        for (const job of jobs) process.stdout.write(`asked job ${job.id} (${job.captioner}, pid ${job.pid}) to stop after its caption in flight\n`);
        return 0;
      }
      const captioner = captionerForLibrary(library, values.captioner);
      const stop = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => {
        if (stop.signal.aborted) return;
        log.info(`${signal}: stopping after the caption in flight (run again to resume)`);
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const started = performance.now();
        const report = await captionAll({
          store,
          captioner,
          prompt: values.prompt,
          loadImage: (id) => library.loadImage(id),
          ratePerSecond: values.rate,
          signal: stop.signal,
          retryFailed: values['retry-failed'],
          onProgress: (p) => {
            const perSecond = (p.done + p.failed) / ((performance.now() - started) / 1000);
            const what = p.error ? `failed: ${p.error}` : JSON.stringify(p.text);
            log.info(`[${p.done + p.failed}/${p.total}] ${perSecond.toFixed(2)}/s image ${p.imageId}: ${what}`);
          },
        });
        const summary = `${report.state === 'done' ? 'done' : 'cancelled'}: ${report.captioned} captioned, ${report.failed} failed, ` +
          `${report.total - report.captioned - report.failed} left (${report.captioner}, ${report.promptVersion})`;
        process.stdout.write(`${summary}\n`);
        // 130 is what a shell reports for Ctrl-C; a job cancelled with --cancel ends normally.
        return stop.signal.aborted ? 130 : 0;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    } finally {
      await library.close();
    }
  },
};
