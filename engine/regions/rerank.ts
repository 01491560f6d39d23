// The one region re-rank, used by refine-query, the evaluation and the benchmarks alike: the vector
// index's candidates for the (refined) query are re-scored with the formula of region-score.ts,
//   score(image) = cos(q, image) + λ · mean_{relevant m} max_r cos(m, r) − μ · mean_{irrelevant m} max_r cos(m, r),
// over each candidate's stored regions, with the WebAssembly SIMD kernel finding each mark's best
// region, and each result keeps the region that matched each mark (the "matched here" explanation).
// An image whose regions are not stored (yet, or damaged) is matched through its whole-image vector,
// so a half-built region index degrades to global matching instead of failing.
import type { SearchHit } from '../types.ts';
import { SimdMatchFinder } from './kernels/simd-match-finder.ts';
import { regionScore, type CandidateRegion, type RegionMark, type RegionMatch } from './region-score.ts';
import type { RegionMatrix } from './region-store.ts';

export type { CandidateRegion, RegionMark, RegionMatch };

export interface RerankOptions {
  lambda: number;
  mu: number;
  /** Where the regions of a candidate come from (the region store). */
  regionsOf: (id: number) => RegionMatrix | undefined;
  /** The whole-image vector and size of a candidate, used when it has no stored regions. */
  fallbackOf?: (id: number) => { vector: Float32Array; width: number; height: number } | undefined;
}

export interface RerankedItem {
  id: number;
  score: number;
  /** cos(q, image) before the region terms. */
  globalScore: number;
  /** Best-matching region per mark, best first. */
  matches: RegionMatch[];
}

/** The rows of a region matrix as candidate regions (views, no copies). */
export function candidateRegions(m: RegionMatrix): CandidateRegion[] {
  const dim = m.vectors.length / Math.max(1, m.count);
  return m.boxes.map((box, r) => ({ box, vector: m.vectors.subarray(r * dim, (r + 1) * dim) }));
}

/** Re-scores the candidates with their regions, best first (ties keep the candidates' order). */
export function rerankByRegions(candidates: readonly SearchHit[], marks: readonly RegionMark[], options: RerankOptions): RerankedItem[] {
  const dim = marks[0]?.vector.length;
  for (const m of marks) if (m.vector.length !== dim) throw new Error(`mark ${m.label} has ${m.vector.length} values, expected ${dim}`);
  const regionsOf = (id: number): CandidateRegion[] => {
    if (marks.length === 0) return [];
    const stored = options.regionsOf(id);
    if (stored && stored.count > 0) {
      if (stored.vectors.length !== stored.count * dim!) throw new Error(`regions of image ${id} have dim ${stored.vectors.length / stored.count}, marks have ${dim}`);
      return candidateRegions(stored);
    }
    const whole = options.fallbackOf?.(id);
    return whole ? [{ box: { x: 0, y: 0, w: whole.width, h: whole.height }, vector: whole.vector }] : [];
  };
  const finder = dim !== undefined && SimdMatchFinder.supports(dim) ? new SimdMatchFinder().find : undefined;
  return candidates
    .map((hit, order) => ({ hit, order, region: regionScore(hit.score, marks, regionsOf(hit.id), { lambda: options.lambda, mu: options.mu, finder }) }))
    .sort((a, b) => b.region.score - a.region.score || a.order - b.order)
    .map(({ hit, region }) => ({
      id: hit.id,
      score: region.score,
      globalScore: region.globalScore,
      matches: [...region.matches].sort((a, b) => b.similarity - a.similarity),
    }));
}

/** The `matches` of a result item (tools/contract/schemas.ts): relevant marks only, what "matched here" shows. */
export function matchesForResult(item: RerankedItem): { mark: string; box: { x: number; y: number; w: number; h: number }; score: number }[] {
  return item.matches.filter((m) => m.relevant).map((m) => ({ mark: m.mark, box: m.box, score: m.similarity }));
}
