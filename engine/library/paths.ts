// Where libraries live on disk and how image paths are resolved under a library's root.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';
import { writeFileAtomically } from '../index/atomic-file.ts';
import { loadRegistry } from '../models/registry.ts';

/** `$VISUALREF_DATA`, or `~/.visualref`. */
export function defaultDataDir(): string {
  return process.env.VISUALREF_DATA || join(homedir(), '.visualref');
}

/** True when `ref` names a model folder rather than a registry entry (registry names win). */
export function isModelPath(ref: string): boolean {
  return !Object.hasOwn(loadRegistry().models, ref);
}

/**
 * The folder name of a model's library. A registry name is used as is; a model folder gets its base
 * name plus a hash of its absolute path, so two folders with the same name never share vectors.
 */
export function modelSlug(ref: string): string {
  const clean = (s: string) => s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '') || 'model';
  if (!isModelPath(ref)) return clean(ref);
  const absolute = resolve(ref);
  return `${clean(basename(absolute))}-${createHash('sha256').update(absolute).digest('hex').slice(0, 8)}`;
}

/** The model reference as stored in a library: folders absolute, so the library works from any cwd. */
export function canonicalModelRef(ref: string): string {
  return isModelPath(ref) ? resolve(ref) : ref;
}

const lastUsedFile = (dataDir: string) => join(dataDir, 'last-model');

/** Remembers the model of the last library indexed, for commands run without --model. */
export function rememberModel(dataDir: string, ref: string): void {
  writeFileAtomically(lastUsedFile(dataDir), Buffer.from(`${canonicalModelRef(ref)}\n`));
}

export function lastUsedModel(dataDir: string): string | undefined {
  const file = lastUsedFile(dataDir);
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8').trim() || undefined;
}

/** Normalises a path relative to the root to forward slashes (the stored form). */
export function toStoredPath(relPath: string): string {
  return relPath.split(sep).join('/');
}

/**
 * Resolves a stored relative path under `root`, refusing anything that would leave it (absolute
 * paths, `..` segments): a tampered or foreign database must not expose other files.
 */
export function resolveUnderRoot(root: string, relPath: string): string {
  if (!relPath || isAbsolute(relPath) || relPath.includes('\0') || relPath.split(/[\\/]/).some((part) => part === '..')) {
    throw new Error(`refusing image path outside the library root: ${JSON.stringify(relPath)}`);
  }
  const base = resolve(root);
  const full = resolve(base, relPath);
  if (!full.startsWith(base + sep)) throw new Error(`refusing image path outside the library root: ${JSON.stringify(relPath)}`);
  return full;
}
