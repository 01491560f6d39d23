// The one region re-rank, used by refine-query, the evaluation and the benchmarks alike: the vector
// index's candidates for the (refined) query are re-scored with the formula of region-score.ts,
//   score(image) = cos(q, image) + λ · mean_{relevant m} max_r cos(m, r) − μ · mean_{irrelevant m} max_r cos(m, r),
// over each candidate's stored regions, with the WebAssembly SIMD kernel finding each mark's best
// region in every candidate in one call, and each result keeps the region that matched each mark (the
// "matched here" explanation). An image whose regions are not stored (yet, or damaged) is matched
// through its whole-image vector, so a half-built region index degrades to global matching instead of failing.
import type { Box, SearchHit } from '../types.ts';
import { SimdMatchFinder, type RegionRows } from './kernels/simd-match-finder.ts';
import { bestMatches, regionScoreOf, type BestMatch, type CandidateRegion, type RegionMark, type RegionMatch } from './region-score.ts';
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

interface RegionSet {
  boxes: readonly Box[];
  rows: RegionRows;
}

/** Re-scores the candidates with their regions, best first (ties keep the candidates' order). */
export function rerankByRegions(candidates: readonly SearchHit[], marks: readonly RegionMark[], options: RerankOptions): RerankedItem[] {
  const dim = marks[0]?.vector.length;
  for (const m of marks) if (m.vector.length !== dim) throw new Error(`mark ${m.label} has ${m.vector.length} values, expected ${dim}`);
  const setOf = (id: number): RegionSet => {
    if (dim === undefined) return { boxes: [], rows: [] };
    const stored = options.regionsOf(id);
    if (stored && stored.count > 0) {
      if (stored.vectors.length !== stored.count * dim) throw new Error(`regions of image ${id} have dim ${stored.vectors.length / stored.count}, marks have ${dim}`);
      return { boxes: stored.boxes, rows: stored.vectors };
    }
    const whole = options.fallbackOf?.(id);
    return whole ? { boxes: [{ x: 0, y: 0, w: whole.width, h: whole.height }], rows: [whole.vector] } : { boxes: [], rows: [] };
  };
  const sets = candidates.map((hit) => setOf(hit.id));
  const found = bestMatchesOf(marks, sets, dim);
  return candidates
    .map((hit, order) => ({ hit, order, region: regionScoreOf(hit.score, marks, found[order], sets[order].boxes, options) }))
    .sort((a, b) => b.region.score - a.region.score || a.order - b.order)
    .map(({ hit, region }) => ({
      id: hit.id,
      score: region.score,
      globalScore: region.globalScore,
      matches: [...region.matches].sort((a, b) => b.similarity - a.similarity),
    }));
}

let finder: SimdMatchFinder | undefined;

/** Each candidate's best region per mark (none for a candidate without regions): the SIMD kernel when it fits the dimension. */
function bestMatchesOf(marks: readonly RegionMark[], sets: readonly RegionSet[], dim: number | undefined): BestMatch[][] {
  if (dim === undefined) return sets.map(() => []);
  if (SimdMatchFinder.supports(dim)) {
    finder ??= new SimdMatchFinder();
    const found = finder.findMany(marks, sets.map((set) => set.rows));
    return found.map((matches, i) => (sets[i].boxes.length ? matches : []));
  }
  return sets.map((set) => (set.boxes.length ? bestMatches(marks, asCandidates(set, dim)) : []));
}

function asCandidates(set: RegionSet, dim: number): CandidateRegion[] {
  const rows = set.rows;
  return set.boxes.map((box, r) => ({ box, vector: rows instanceof Float32Array ? rows.subarray(r * dim, (r + 1) * dim) : rows[r] }));
}

/** The `matches` of a result item (tools/contract/schemas.ts): relevant marks only, what "matched here" shows. */
export function matchesForResult(item: RerankedItem): { mark: string; box: { x: number; y: number; w: number; h: number }; score: number }[] {
  return item.matches.filter((m) => m.relevant).map((m) => ({ mark: m.mark, box: m.box, score: m.similarity }));
}
