// One search turn with region feedback: the vector index gives the pool of candidates for the query
// vector, the one region re-rank (rerank.ts) orders them, and the best k are returned with their
// "matched here" explanations.
import type { SearchHit } from '../types.ts';
import type { RegionMatrix } from './region-store.ts';
import { rerankByRegions, type RegionMark, type RerankedItem } from './rerank.ts';

export interface RegionSearchSources {
  /** The library's vector search (cosine scores, best first). */
  search(vector: Float32Array, k: number): SearchHit[];
  regionsOf(id: number): RegionMatrix | undefined;
  /** Whole-image vector and size, for candidates whose regions are not stored yet. */
  fallbackOf?(id: number): { vector: Float32Array; width: number; height: number } | undefined;
}

export interface RegionSearchOptions {
  k: number;
  /** Candidates re-ranked (configs/regions.yaml rerank.pool). */
  pool: number;
  lambda: number;
  mu: number;
}

export function searchWithRegions(sources: RegionSearchSources, query: Float32Array, marks: readonly RegionMark[], options: RegionSearchOptions): RerankedItem[] {
  const candidates = sources.search(query, Math.max(options.k, options.pool));
  return rerankByRegions(candidates, marks, {
    lambda: options.lambda,
    mu: options.mu,
    regionsOf: (id) => sources.regionsOf(id),
    fallbackOf: sources.fallbackOf ? (id) => sources.fallbackOf?.(id) : undefined,
  }).slice(0, options.k);
}
