// visualref demo (what `npm start` runs): renders the demo gallery of the built-in world if it is
// missing, indexes it with the built-in model (incrementally, so a second start is quick), then
// serves the web app and MCP over HTTP.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseFlags } from '../args.ts';
import type { Command } from '../main.ts';
import { progressReporter } from '../progress.ts';
import { command as serve } from './serve.ts';
import { generateWorld } from '../../engine/world/generate-world.ts';
import { Library, defaultDataDir } from '../../engine/library/library.ts';
import { indexFolder } from '../../engine/library/indexer.ts';
import { indexLibraryRegions } from '../../engine/regions/library-regions.ts';
import { loadRegionsConfig } from '../../engine/regions/config.ts';
import { log } from '../../engine/log.ts';

// Training used seeds 1 (train) and 2 (val); the demo gallery is a world the model never saw.
const demoSeed = 4242;

const flags = z.object({
  data: z.string().min(1).optional(),
  count: z.coerce.number().int().min(10).max(100_000).default(2000),
  port: z.string().optional(),
  host: z.string().optional(),
  'no-serve': z.boolean().optional(),
  help: z.boolean().optional(),
});

const usage = `usage: visualref demo [--data DIR] [--count N] [--port N] [--host ADDR] [--no-serve]
  renders N built-in world scenes into DIR/demo-world (once), indexes them with the built-in model,
  then runs \`visualref serve\` on that library`;

export const command: Command = {
  summary: 'prepare the built-in demo library and serve it',
  async run(argv) {
    const { values } = parseFlags(
      argv,
      {
        data: { type: 'string' },
        count: { type: 'string' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        'no-serve': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      flags,
      false,
    );
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const started = Date.now();
    const dataDir = values.data ?? defaultDataDir();
    const gallery = join(dataDir, 'demo-world');
    // captions.json is written last, so its presence means the gallery is complete.
    if (!existsSync(join(gallery, 'captions.json'))) {
      log.info(`demo: rendering ${values.count} scenes into ${gallery}`);
      await generateWorld({ seed: demoSeed, count: values.count, split: 'test', outDir: gallery });
    }
    const library = await Library.open({ dataDir, model: 'builtin' });
    const stopRegions = new AbortController();
    let regionsDone: Promise<void> = Promise.resolve();
    try {
      const progress = progressReporter();
      const report = await indexFolder(library, { folder: gallery, onProgress: (p) => progress.update(p) });
      progress.finish();
      log.info(`demo: library ready (${library.status().images} images, ${report.added} new) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      // Region embeddings take longer than the images: the server starts without waiting for them
      // (region marks match whole images until then) and its library watcher picks them up.
      regionsDone = buildRegions(library, stopRegions.signal);
      if (values['no-serve']) {
        await regionsDone;
        return 0;
      }
      const passThrough = ['--data', dataDir, '--model', 'builtin'];
      if (values.port) passThrough.push('--port', values.port);
      if (values.host) passThrough.push('--host', values.host);
      return await serve.run(passThrough);
    } finally {
      stopRegions.abort();
      await regionsDone;
      await library.close();
    }
  },
};

async function buildRegions(library: Library, signal: AbortSignal): Promise<void> {
  const config = loadRegionsConfig();
  if (!config.enabled) return;
  const started = Date.now();
  try {
    const report = await indexLibraryRegions(library, {
      config,
      signal,
      onProgress: (done, total) => {
        if (done < total && done % 400 === 0) log.info(`demo: regions ${done}/${total}`);
      },
    });
    if (report.added || report.removed) log.info(`demo: regions ready for ${report.added} images in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    log.warn(`demo: region index not built (${err instanceof Error ? err.message : String(err)}); region marks match whole images`);
  }
}
