// visualref index: adds a folder of images to the library (incremental and resumable).
import { statSync } from 'node:fs';
import { z } from 'zod';
import { parseFlags } from '../args.ts';
import type { Command } from '../main.ts';
import { formatSeconds, progressReporter } from '../progress.ts';
import { UsageError } from '../usage-error.ts';
import { Library } from '../../engine/library/library.ts';
import { buildLibrary } from '../../engine/library/build-library.ts';
import type { LibraryRegionsReport } from '../../engine/regions/library-regions.ts';
import { log } from '../../engine/log.ts';
import { defaultModel } from '../../engine/library/default-model.ts';
import { builtinModelWarning } from '../../engine/library/builtin-fit.ts';
import { configuredDatabase } from '../../engine/library/open-backend.ts';
import { PostgresLibrary } from '../../engine/library/postgres/postgres-library.ts';
import type { IndexReport } from '../../engine/library/indexer.ts';

const flags = z.object({
  model: z.string().min(1).optional(),
  data: z.string().min(1).optional(),
  db: z.string().min(1).max(2000).optional(),
  provider: z.enum(['cpu', 'webgpu', 'cuda']).default('cpu'),
  batch: z.coerce.number().int().min(1).max(1024).optional(),
  dtype: z.enum(['fp32', 'fp16', 'q8']).optional(),
  json: z.boolean().optional(),
  'no-regions': z.boolean().optional(),
  help: z.boolean().optional(),
});

const usage = `usage: visualref index <folder> [--model NAME|PATH] [--data DIR | --db postgres://…] [--provider cpu|webgpu|cuda] [--batch N] [--dtype fp32|fp16|q8] [--no-regions] [--json]
  --no-regions   images only: no region store (region feedback then matches marks against whole images);
                 configs/regions.yaml \`enabled: false\` does the same for every run`;

export const command: Command = {
  summary: 'index a folder of images into the library',
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        model: { type: 'string' },
        data: { type: 'string' },
        db: { type: 'string' },
        provider: { type: 'string' },
        batch: { type: 'string' },
        dtype: { type: 'string' },
        json: { type: 'boolean' },
        'no-regions': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      flags,
    );
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new UsageError(`give exactly one folder\n${usage}`);
    const folder = positionals[0];
    let isDir = false;
    try {
      isDir = statSync(folder).isDirectory();
    } catch {
      throw new UsageError(`cannot read the folder ${folder}`);
    }
    if (!isDir) throw new UsageError(`${folder} is not a folder`);

    const database = configuredDatabase(values.db);
    const model = values.model ?? defaultModel();
    const runtime = values.dtype ? { dtype: values.dtype } : undefined;
    const library = database
      ? await PostgresLibrary.open({ url: database, model, provider: values.provider, runtime })
      : await Library.open({ dataDir: values.data, model, provider: values.provider, runtime });
    const progress = progressReporter();
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const started = performance.now();
      const run = { folder, batchSize: values.batch, onProgress: progress.update, signal: abort.signal };
      // The postgres backend holds no region store yet: its runs index the images only.
      const built: { images: IndexReport; regions?: LibraryRegionsReport } =
        library instanceof PostgresLibrary
          ? { images: await library.indexFolder(run) }
          : await buildLibrary(library, { ...run, onRegionProgress: regionProgress(progress.finish), regions: values['no-regions'] ? false : undefined });
      const report = built.images;
      const totalSeconds = (performance.now() - started) / 1000;
      progress.finish();
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ ...report, regions: built.regions ?? null }, null, 2)}\n`);
      } else {
        const lines = [
          `${report.root}: ${report.scanned} image files; ${report.added} added, ${report.updated} updated, ${report.unchanged} unchanged, ${report.removed} removed, ${report.skipped} skipped (${report.seconds.toFixed(1)} s)`,
          ...(report.added + report.updated === 0 && report.removed === 0 ? ['nothing changed since the last run: the library is up to date'] : []),
          ...report.skippedFiles.map((f) => `  skipped ${f.path}: ${f.reason}`),
          ...report.unreadableFolders.map((f) => `  unreadable folder ${f.path}: ${f.reason}`),
        ];
        if (built.regions) lines.push(describeRegions(built.regions));
        lines.push(`total ${totalSeconds.toFixed(1)} s`);
        if (report.aborted || abort.signal.aborted) lines.push('interrupted: run the same command again to finish');
        const warning = builtinModelWarning(library);
        if (warning) lines.push(`warning: ${warning}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      return report.aborted || abort.signal.aborted ? 130 : 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await library.close();
    }
  },
};

function describeRegions(r: LibraryRegionsReport): string {
  return `regions: ${r.added} images added, ${r.removed} removed, ${r.regions} regions (${r.seconds.toFixed(1)} s); ${r.proposeMsPerImage.toFixed(1)} ms proposing + ${r.encodeMsPerImage.toFixed(1)} ms embedding per image, ${Math.round(r.bytesPerImage)} bytes per image`;
}

/**
 * A line every few seconds, with rate and ETA, while region embeddings are made. They follow the
 * image pass, whose progress line is ended first.
 */
function regionProgress(endImageLine: () => void, intervalMs = 5000): (done: number, total: number) => void {
  let last = 0;
  let started: { at: number; done: number } | undefined;
  return (done, total) => {
    const now = Date.now();
    if (!started) {
      endImageLine();
      started = { at: now, done };
    }
    if (done > 0 && done < total && now - last < intervalMs) return;
    last = now;
    const rate = (done - started.done) / Math.max((now - started.at) / 1000, 1e-3);
    const eta = done < total && rate > 0 ? `, ETA ${formatSeconds((total - done) / rate)}` : '';
    log.info(`regions: ${done}/${total} images${done > started.done ? `, ${rate.toFixed(1)} images/s` : ''}${eta}`);
  };
}
