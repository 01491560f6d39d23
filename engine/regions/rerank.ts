// Region-against-region re-ranking of search candidates with the regions of the region store. The
// formula is the feedback module's regionScore (engine/regions/region-score.ts):
//   score(image) = cos(q, image) + λ · mean_{relevant m} max_r cos(m, r) − μ · mean_{irrelevant m} max_r cos(m, r)
// This module feeds it the stored regions of each candidate and keeps, per mark, the region that
// matched it best (the "matched here" explanation). An image whose regions are not stored yet is
// matched through its whole-image vector, so that a half-built region index degrades to global
// matching instead of failing.
import { rerankByRegions as rerankHits, type CandidateRegion, type RegionMark } from './region-score.ts';
import type { Box } from '../types.ts';
import { SimdMatchFinder } from './kernels/simd-match-finder.ts';
import type { RegionMatrix } from './region-store.ts';

export interface Mark {
  /** Shown back in the explanation (e.g. the session's region id). */
  id: string;
  /** L2-normalised crop or caption embedding. */
  vector: Float32Array;
  relevant: boolean;
}

export interface Candidate {
  id: number;
  /** cos(q, image), as returned by the vector index. */
  score: number;
}

export interface MarkMatch {
  mark: string;
  relevant: boolean;
  /** Pixels of the original image. */
  box: Box;
  score: number;
}

export interface RerankedItem {
  id: number;
  score: number;
  globalScore: number;
  /** Best-matching region per mark, best first. */
  matches: MarkMatch[];
}

export interface RerankOptions {
  lambda: number;
  mu: number;
  /** Where the regions of a candidate come from (the region store). */
  regionsOf: (id: number) => RegionMatrix | undefined;
  /** The whole-image vector and size of a candidate, used when it has no stored regions. */
  fallbackOf?: (id: number) => { vector: Float32Array; width: number; height: number } | undefined;
}

/** The rows of a region matrix as regionScore's candidate regions (views, no copies). */
export function candidateRegions(m: RegionMatrix): CandidateRegion[] {
  const dim = m.vectors.length / Math.max(1, m.count);
  return m.boxes.map((box, r) => ({ box, vector: m.vectors.subarray(r * dim, (r + 1) * dim) }));
}

export function rerankByRegions(candidates: Candidate[], marks: Mark[], options: RerankOptions): RerankedItem[] {
  const dim = marks[0]?.vector.length;
  for (const m of marks) if (m.vector.length !== dim) throw new Error(`mark ${m.id} has ${m.vector.length} values, expected ${dim}`);
  const regionsOf = (id: number): CandidateRegion[] => {
    if (marks.length === 0) return [];
    const stored = options.regionsOf(id);
    if (stored && stored.count > 0) {
      if (stored.vectors.length !== stored.count * dim) throw new Error(`regions of image ${id} have dim ${stored.vectors.length / stored.count}, marks have ${dim}`);
      return candidateRegions(stored);
    }
    const whole = options.fallbackOf?.(id);
    return whole ? [{ box: { x: 0, y: 0, w: whole.width, h: whole.height }, vector: whole.vector }] : [];
  };
  const regionMarks: RegionMark[] = marks.map((m) => ({ label: m.id, vector: m.vector, relevant: m.relevant }));
  const finder = dim !== undefined && SimdMatchFinder.supports(dim) ? new SimdMatchFinder().find : undefined;
  return rerankHits(candidates, regionMarks, regionsOf, { lambda: options.lambda, mu: options.mu, finder }).map((hit) => ({
    id: hit.id,
    score: hit.score,
    globalScore: hit.region.globalScore,
    matches: hit.region.matches.map((m) => ({ mark: m.mark, relevant: m.relevant, box: m.box, score: m.similarity })).sort((a, b) => b.score - a.score),
  }));
}
