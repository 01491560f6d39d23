// Region-against-region scoring (../shared/docs/feedback-measured.md): each marked region is matched
// against the regions of each candidate instead of being averaged into the query, which keeps the
// evidence compositional ("has a green striped star somewhere") and does not drift over turns.
//
//   score = cos(q, image) + lambda * mean_{relevant marks m} max_{regions r} cos(m, r)
//                         - mu     * mean_{irrelevant marks m} max_{regions r} cos(m, r)
import type { Box } from '../../engine/types.ts';
import { dot, l2norm } from './vectors.ts';

function nonZeroNorm(v: Float32Array): number {
  const n = l2norm(v);
  if (!(n > 0)) throw new Error('cosine of a zero vector');
  return n;
}

export interface RegionMark {
  /** What the explanation calls the mark: its caption, or e.g. "region 2 of image 14". */
  label: string;
  /** Crop image embedding or caption text embedding of the marked region. */
  vector: Float32Array;
  relevant: boolean;
}

export interface CandidateRegion {
  box: Box;
  vector: Float32Array;
}

export interface RegionMatch {
  mark: string;
  relevant: boolean;
  /** Index into the candidate's regions of the best match, and its box. */
  regionIndex: number;
  box: Box;
  similarity: number;
}

export interface RegionScore {
  score: number;
  globalScore: number;
  /** mean over relevant marks of the best cosine (0 with no relevant marks or no regions). */
  relevantTerm: number;
  irrelevantTerm: number;
  /** For every mark, the candidate region that matched it best. */
  matches: RegionMatch[];
}

export interface RegionScoreOptions {
  lambda: number;
  mu: number;
}

export function regionScore(
  globalScore: number,
  marks: readonly RegionMark[],
  regions: readonly CandidateRegion[],
  options: RegionScoreOptions,
): RegionScore {
  const matches: RegionMatch[] = [];
  if (regions.length > 0) {
    // Each norm once, not once per (mark, region) pair: this loop is the hot path of a refine turn.
    const regionNorms = new Float64Array(regions.length);
    for (let i = 0; i < regions.length; i++) regionNorms[i] = nonZeroNorm(regions[i].vector);
    for (const mark of marks) {
      const markNorm = nonZeroNorm(mark.vector);
      let best = -Infinity;
      let bestIndex = 0;
      for (let i = 0; i < regions.length; i++) {
        const s = dot(mark.vector, regions[i].vector) / (markNorm * regionNorms[i]);
        if (s > best) {
          best = s;
          bestIndex = i;
        }
      }
      matches.push({ mark: mark.label, relevant: mark.relevant, regionIndex: bestIndex, box: regions[bestIndex].box, similarity: best });
    }
  }
  const meanOf = (relevant: boolean) => {
    const sims = matches.filter((m) => m.relevant === relevant).map((m) => m.similarity);
    return sims.length ? sims.reduce((s, x) => s + x, 0) / sims.length : 0;
  };
  const relevantTerm = meanOf(true);
  const irrelevantTerm = meanOf(false);
  return {
    score: globalScore + options.lambda * relevantTerm - options.mu * irrelevantTerm,
    globalScore,
    relevantTerm,
    irrelevantTerm,
    matches,
  };
}

/** Re-scores search hits with their regions and sorts them best first (ties keep the hit order). */
export function rerankByRegions<H extends { id: number; score: number }>(
  hits: readonly H[],
  marks: readonly RegionMark[],
  regionsOf: (id: number) => readonly CandidateRegion[],
  options: RegionScoreOptions,
): (H & { region: RegionScore })[] {
  return hits
    .map((hit, order) => ({ hit, order, region: regionScore(hit.score, marks, regionsOf(hit.id), options) }))
    .sort((a, b) => b.region.score - a.region.score || a.order - b.order)
    .map(({ hit, region }) => ({ ...hit, score: region.score, region }));
}
