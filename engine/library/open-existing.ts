// Finding the library a read-only command (search, status) should use.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ExecutionProvider } from '../types.ts';
import { Library } from './library.ts';
import { defaultDataDir, lastUsedModel, modelSlug } from './paths.ts';

export function libraryExists(dataDir: string, model: string): boolean {
  return existsSync(join(dataDir, modelSlug(model), 'library.db'));
}

/**
 * Opens the library of `model`, or of the model last indexed into `dataDir` when none is named.
 * Never creates one: a missing library is an error telling the user to index first.
 */
export async function openExistingLibrary(options: { dataDir?: string; model?: string; provider?: ExecutionProvider }): Promise<Library> {
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  const model = options.model ?? lastUsedModel(dataDir);
  if (!model || !libraryExists(dataDir, model)) {
    const which = model ? ` for model ${model}` : '';
    throw new Error(`no library${which} in ${dataDir}; run \`visualref index <folder>\` first`);
  }
  return Library.open({ dataDir, model, provider: options.provider });
}
