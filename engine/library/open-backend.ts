// Choosing a library backend: postgres when a database URL is given (`--db`, or `database` in
// configs/index.yaml), else the embedded library of the data folder.
import type { ExecutionProvider } from '../types.ts';
import { loadIndexConfig } from '../index/config.ts';
import { EmbeddedBackend } from './embedded-backend.ts';
import { Library } from './library.ts';
import type { LibraryBackend } from './library-backend.ts';
import type { RuntimeOptions } from './model-runtime.ts';
import { openExistingLibrary } from './open-existing.ts';
import { PostgresLibrary } from './postgres/postgres-library.ts';

export interface OpenBackendOptions {
  /** A postgres:// URL; default: `database` of configs/index.yaml, else the embedded backend. */
  db?: string;
  dataDir?: string;
  model?: string;
  provider?: ExecutionProvider;
  runtime?: RuntimeOptions;
  /** Create the library when it does not exist yet (index); read-only commands never do. */
  create?: boolean;
}

/** The database URL the commands use: the flag, else configs/index.yaml. */
export function configuredDatabase(flag: string | undefined): string | undefined {
  return flag ?? loadIndexConfig().database;
}

export async function openLibraryBackend(options: OpenBackendOptions): Promise<LibraryBackend> {
  const db = configuredDatabase(options.db);
  if (db) return PostgresLibrary.open({ url: db, model: options.model, provider: options.provider, runtime: options.runtime });
  if (options.create) {
    if (!options.model) throw new Error('name the model of a new library');
    return new EmbeddedBackend(await Library.open({ dataDir: options.dataDir, model: options.model, provider: options.provider, runtime: options.runtime }));
  }
  return new EmbeddedBackend(await openExistingLibrary({ dataDir: options.dataDir, model: options.model, provider: options.provider }));
}
