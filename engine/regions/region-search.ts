// One search turn with region feedback: the vector index gives the top-N for the (refined) query
// vector, the region re-ranker orders them by global similarity plus mark-against-region evidence,
// and the best k are returned with their "matched here" explanations.
import type { SearchHit } from '../types.ts';
import type { RegionMatrix } from './region-store.ts';
import { rerankByRegions, type Mark, type RerankedItem } from './rerank.ts';

export interface RegionSearchSources {
  /** The library's vector search (cosine scores, best first). */
  search(vector: Float32Array, k: number): SearchHit[];
  regionsOf(id: number): RegionMatrix | undefined;
  /** Whole-image vector and size, for candidates whose regions are not stored yet. */
  fallbackOf?(id: number): { vector: Float32Array; width: number; height: number } | undefined;
}

export interface RegionSearchOptions {
  k: number;
  topN: number;
  lambda: number;
  mu: number;
}

export function searchWithRegions(sources: RegionSearchSources, query: Float32Array, marks: Mark[], options: RegionSearchOptions): RerankedItem[] {
  const candidates = sources.search(query, Math.max(options.k, options.topN));
  const ranked = rerankByRegions(candidates, marks, {
    lambda: options.lambda,
    mu: options.mu,
    regionsOf: (id) => sources.regionsOf(id),
    fallbackOf: sources.fallbackOf ? (id) => sources.fallbackOf?.(id) : undefined,
  });
  return ranked.slice(0, options.k);
}

/** The `matches` of a tools/contract/schemas.ts resultItem: relevant marks only (what "matched here" shows). */
export function matchesForResult(item: RerankedItem): { mark: string; box: { x: number; y: number; w: number; h: number }; score: number }[] {
  return item.matches.filter((m) => m.relevant).map((m) => ({ mark: m.mark, box: m.box, score: m.score }));
}
