// Chooses the index implementation from configs/index.yaml and opens (or starts) its file.
import { existsSync } from 'node:fs';
import { log } from '../log.ts';
import type { IndexConfig } from './config.ts';
import { FlatIndex } from './flat-index.ts';
import { HnswIndex } from './hnsw-index.ts';
import type { PersistentIndex } from './persistent-index.ts';

export function indexFileName(kind: IndexConfig['kind']): string {
  return kind === 'hnsw' ? 'index.hnsw' : 'index.flat';
}

/** Creates an empty index of the configured kind. */
export function createIndex(file: string, dim: number, config: Pick<IndexConfig, 'kind' | 'hnsw'>): PersistentIndex {
  return config.kind === 'hnsw' ? HnswIndex.create(file, dim, config.hnsw) : FlatIndex.create(file, dim);
}

/**
 * Loads the index saved at `file`, or starts an empty one when there is none or it cannot be read
 * (the caller rebuilds it from the database, which holds every vector).
 */
export function openIndex(file: string, dim: number, config: Pick<IndexConfig, 'kind' | 'hnsw'>): PersistentIndex {
  if (existsSync(file)) {
    try {
      return config.kind === 'hnsw' ? HnswIndex.load(file, dim, config.hnsw) : FlatIndex.load(file, dim);
    } catch (err) {
      log.warn(`cannot read the vector index ${file} (${err instanceof Error ? err.message : String(err)}); rebuilding it`);
    }
  }
  return createIndex(file, dim, config);
}
