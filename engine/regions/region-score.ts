// Region-against-region scoring (docs/feedback.md): each marked region is matched
// against the regions of each candidate instead of being averaged into the query, which keeps the
// evidence compositional ("has a green striped star somewhere") and does not drift over turns.
//
//   score = cos(q, image) + lambda * mean_{relevant marks m} max_{regions r} cos(m, r)
//                         - mu     * mean_{irrelevant marks m} max_{regions r} cos(m, r)
import type { Box } from '../types.ts';
import { assertSameDim, dot, l2norm } from '../feedback/vectors.ts';

function nonZeroNorm(v: Float32Array): number {
  const n = l2norm(v);
  if (!(n > 0)) throw new Error('cosine of a zero vector');
  return n;
}

/** out[m] = marks[m] · v. Four marks share each pass over v: a quarter of the loads of one dot each. */
function dotsWithMarks(marks: readonly Float32Array[], v: Float32Array, out: Float64Array): void {
  const n = v.length;
  for (const mark of marks) assertSameDim(mark, v);
  let m = 0;
  for (; m + 4 <= marks.length; m += 4) {
    const a = marks[m];
    const b = marks[m + 1];
    const c = marks[m + 2];
    const d = marks[m + 3];
    let sa = 0;
    let sb = 0;
    let sc = 0;
    let sd = 0;
    for (let i = 0; i < n; i++) {
      const x = v[i];
      sa += a[i] * x;
      sb += b[i] * x;
      sc += c[i] * x;
      sd += d[i] * x;
    }
    out[m] = sa;
    out[m + 1] = sb;
    out[m + 2] = sc;
    out[m + 3] = sd;
  }
  for (; m < marks.length; m++) out[m] = dot(marks[m], v);
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

/** For each mark, its best region: the index into `regions` and the cosine. */
export interface BestMatch {
  index: number;
  similarity: number;
}

/** Finds each mark's best region; the re-ranker (rerank.ts) passes the SIMD implementation of bestMatches. */
export type BestMatchFinder = (marks: readonly RegionMark[], regions: readonly CandidateRegion[]) => BestMatch[];

export interface RegionScoreOptions {
  lambda: number;
  mu: number;
  /** Default: bestMatches (plain JavaScript). */
  finder?: BestMatchFinder;
}

/** The reference finder. Each region is read once for all marks, and each norm is computed once. */
export function bestMatches(marks: readonly RegionMark[], regions: readonly CandidateRegion[]): BestMatch[] {
  const markVectors = marks.map((m) => m.vector);
  const markNorms = markVectors.map(nonZeroNorm);
  const best = new Float64Array(marks.length).fill(-Infinity);
  const bestIndex = new Int32Array(marks.length);
  const dots = new Float64Array(marks.length);
  for (let r = 0; r < regions.length; r++) {
    const v = regions[r].vector;
    const norm = nonZeroNorm(v);
    dotsWithMarks(markVectors, v, dots);
    for (let m = 0; m < marks.length; m++) {
      const s = dots[m] / (markNorms[m] * norm);
      if (s > best[m]) {
        best[m] = s;
        bestIndex[m] = r;
      }
    }
  }
  return marks.map((_, m) => ({ index: bestIndex[m], similarity: best[m] }));
}

export function regionScore(
  globalScore: number,
  marks: readonly RegionMark[],
  regions: readonly CandidateRegion[],
  options: RegionScoreOptions,
): RegionScore {
  const found = regions.length > 0 && marks.length > 0 ? (options.finder ?? bestMatches)(marks, regions) : [];
  return regionScoreOf(
    globalScore,
    marks,
    found,
    regions.map((r) => r.box),
    options,
  );
}

/** The score of a candidate from each mark's best region (`found`, empty without regions) and the regions' boxes. */
export function regionScoreOf(
  globalScore: number,
  marks: readonly RegionMark[],
  found: readonly BestMatch[],
  boxes: readonly Box[],
  options: { lambda: number; mu: number },
): RegionScore {
  const matches: RegionMatch[] = found.map(({ index, similarity }, m) => ({
    mark: marks[m].label,
    relevant: marks[m].relevant,
    regionIndex: index,
    box: boxes[index],
    similarity,
  }));
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
