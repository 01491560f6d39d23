// Reads a YAML file from configs/ and validates it, so a typo in a config names the field at fault.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { z } from 'zod';

/** The repository root (where configs/, models/ and web/ live). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** configs/ of the repository, or $VISUALREF_CONFIG_DIR when set. */
export function configDir(): string {
  return process.env.VISUALREF_CONFIG_DIR ?? join(repoRoot, 'configs');
}

export function loadConfigFile<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read config ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const result = schema.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`config ${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return result.data;
}

/** Loads configs/<name>.yaml (name may contain a sub-folder, e.g. "captioning/region"). */
export function loadConfig<S extends z.ZodType>(name: string, schema: S): z.infer<S> {
  return loadConfigFile(join(configDir(), `${name}.yaml`), schema);
}
