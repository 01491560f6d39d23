// The model registry (configs/models.yaml): names → model folders, with what a user needs to know
// to get a model that is not on disk yet.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig, repoRoot } from '../config/load-config.ts';

const modelNamePattern = /^[a-z0-9][a-z0-9._-]*$/;

const entrySchema = z.strictObject({
  folder: z.string().min(1),
  family: z.enum(['clip', 'siglip']),
  dim: z.number().int().positive(),
  license: z.string().min(1),
  description: z.string().min(1),
  /** The Hugging Face repository the files come from. */
  source: z.string().optional(),
  /** The command that fetches or builds the folder. */
  download: z.string().min(1),
});

export const registrySchema = z
  .strictObject({
    default: z.string(),
    models: z.record(z.string().regex(modelNamePattern, 'model names are lower-case letters, digits, ".", "_" and "-"'), entrySchema),
  })
  .refine((r) => Object.hasOwn(r.models, r.default), { message: 'default must name one of the models', path: ['default'] });

export type ModelEntry = z.infer<typeof entrySchema>;
export type ModelRegistry = z.infer<typeof registrySchema>;

export interface RegisteredModel extends ModelEntry {
  name: string;
  /** Absolute folder. */
  path: string;
  /** Whether the folder holds a config.json. */
  present: boolean;
  isDefault: boolean;
}

function expandHome(folder: string): string {
  return folder === '~' || folder.startsWith('~/') ? join(homedir(), folder.slice(1)) : folder;
}

/** Expands ~ and makes a registry folder absolute (relative folders are from the repository root). */
export function resolveFolder(folder: string): string {
  const expanded = expandHome(folder);
  return isAbsolute(expanded) ? expanded : join(repoRoot, expanded);
}

export function loadRegistry(): ModelRegistry {
  return loadConfig('models', registrySchema);
}

function describe(name: string, entry: ModelEntry, registry: ModelRegistry): RegisteredModel {
  const path = resolveFolder(entry.folder);
  return { ...entry, name, path, present: existsSync(join(path, 'config.json')), isDefault: registry.default === name };
}

export function listModels(registry: ModelRegistry = loadRegistry()): RegisteredModel[] {
  return Object.entries(registry.models).map(([name, entry]) => describe(name, entry, registry));
}

export function defaultModelName(registry: ModelRegistry = loadRegistry()): string {
  return registry.default;
}

export interface ResolvedModel {
  /** Registry name, or the folder's base name for an unregistered folder. */
  name: string;
  folder: string;
  entry?: ModelEntry;
}

/**
 * A registry name (or undefined for the default) or a path to a model folder → the folder. A name
 * whose folder is absent fails with the download hint.
 */
export function resolveModel(ref: string | undefined, registry: ModelRegistry = loadRegistry()): ResolvedModel {
  const name = ref ?? registry.default;
  if (Object.hasOwn(registry.models, name)) {
    const model = describe(name, registry.models[name], registry);
    if (!model.present) {
      throw new Error(`model "${name}" is not at ${model.path}; get it with: ${model.download}`);
    }
    return { name, folder: model.path, entry: registry.models[name] };
  }
  // A path given by the user is relative to the working directory.
  const folder = resolve(expandHome(name));
  if (existsSync(join(folder, 'config.json'))) return { name: basename(folder), folder };
  const known = Object.keys(registry.models).join(', ');
  throw new Error(`unknown model "${name}": not a registry name (${known}) nor a model folder with a config.json`);
}

/** The name under which a model's library lives in the data directory. */
export function modelSlug(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '');
  return slug || 'model';
}
