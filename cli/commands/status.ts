// visualref status: what the library holds.
import { z } from 'zod';
import { parseFlags } from '../args.ts';
import type { Command } from '../main.ts';
import { UsageError } from '../usage-error.ts';
import { openExistingLibrary } from '../../engine/library/open-existing.ts';
import { builtinModelWarning } from '../../engine/library/builtin-fit.ts';
import { openLibraryRegions } from '../../engine/regions/library-regions.ts';
import { configuredDatabase } from '../../engine/library/open-backend.ts';
import { PostgresLibrary } from '../../engine/library/postgres/postgres-library.ts';

const flags = z.object({
  model: z.string().min(1).optional(),
  data: z.string().min(1).optional(),
  db: z.string().min(1).max(2000).optional(),
  json: z.boolean().optional(),
  help: z.boolean().optional(),
});

const usage = `usage: visualref status [--model NAME|PATH] [--data DIR | --db postgres://…] [--json]`;

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

export const command: Command = {
  summary: 'show what the library holds',
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { model: { type: 'string' }, data: { type: 'string' }, db: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      flags,
    );
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"\n${usage}`);
    const database = configuredDatabase(values.db);
    if (database) return printPostgresStatus(database, values.model, values.json === true);
    let library;
    try {
      library = await openExistingLibrary({ dataDir: values.data, model: values.model });
    } catch (err) {
      if (!values.json) throw err;
      // --json output stays JSON for scripts, also when there is no library yet.
      process.stdout.write(`${JSON.stringify({ error: err instanceof Error ? err.message : String(err), images: 0 }, null, 2)}\n`);
      return 1;
    }
    try {
      const status = library.status();
      const warning = builtinModelWarning(library);
      // The region pass runs after the image pass (in the background for the demo): show how far it got.
      const regionStore = openLibraryRegions(library);
      const regionImages = regionStore?.size ?? 0;
      regionStore?.close();
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ ...status, regionImages, ...(warning ? { warning } : {}) }, null, 2)}\n`);
        return 0;
      }
      const lines = [
        `model:     ${status.model} (${status.dim}-d)`,
        `folder:    ${status.root ?? '(none yet)'}`,
        `images:    ${status.images} indexed, ${status.skipped} skipped`,
        `index:     ${status.indexKind}, ${formatBytes(status.indexBytes)}; database ${formatBytes(status.databaseBytes)}`,
        `regions:   ${regionImages} of ${status.images} images${regionImages < status.images ? ' (the region pass has not finished: `visualref index` or a running demo completes it)' : ''}`,
        `library:   ${status.libraryDir}`,
        ...status.skippedFiles.map((f) => `  skipped   ${f.path}: ${f.reason}`),
        ...(warning ? [`warning:   ${warning}`] : []),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
      return 0;
    } finally {
      await library.close();
    }
  },
};

async function printPostgresStatus(url: string, model: string | undefined, json: boolean): Promise<number> {
  const library = await PostgresLibrary.open({ url, model });
  try {
    const status = await library.status();
    const lines = [
      `model:     ${status.model} (${status.dim}-d)`,
      `folder:    ${status.root ?? '(none yet)'}`,
      `images:    ${status.images} indexed, ${status.skipped} skipped`,
      `database:  ${status.location}`,
    ];
    process.stdout.write(json ? `${JSON.stringify(status, null, 2)}\n` : `${lines.join('\n')}\n`);
    return 0;
  } finally {
    await library.close();
  }
}
