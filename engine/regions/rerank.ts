// Region-against-region re-ranking (feedback-measured.md): each candidate from the vector index is
// scored by its global similarity plus, for each relevant mark, how well its best region matches the
// mark, minus the same for irrelevant marks:
//   score(image) = cos(q, image) + λ · mean_{relevant m} max_r cos(m, r) − μ · mean_{irrelevant m} max_r cos(m, r)
// The query vector itself is left alone. Each result keeps, per mark, the region that matched it best
// (the "matched here" explanation). An image whose regions are not stored yet is matched through its
// whole-image vector, so that a half-built region index degrades to global matching instead of failing.
import type { Box } from '../types.ts';
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

/** The final combination of the three terms (the formula above, with its λ and μ). */
export function combineRegionScore(globalScore: number, relevantBest: number[], irrelevantBest: number[], lambda: number, mu: number): number {
  const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  return globalScore + lambda * mean(relevantBest) - mu * mean(irrelevantBest);
}

/** Best cosine of each mark over the rows of `vectors` (count × dim), with the row that gave it. */
export function bestMatches(marks: Mark[], vectors: Float32Array, count: number, dim: number): { score: number; index: number }[] {
  const best = marks.map(() => ({ score: -Infinity, index: -1 }));
  // Four marks at a time share each load of a region value: this loop is the whole cost of a turn.
  for (let m = 0; m < marks.length; m += 4) {
    const a = marks[m].vector;
    const b = marks[Math.min(m + 1, marks.length - 1)].vector;
    const c = marks[Math.min(m + 2, marks.length - 1)].vector;
    const d = marks[Math.min(m + 3, marks.length - 1)].vector;
    for (let r = 0; r < count; r++) {
      const off = r * dim;
      let sa = 0;
      let sb = 0;
      let sc = 0;
      let sd = 0;
      for (let i = 0; i < dim; i++) {
        const x = vectors[off + i];
        sa += a[i] * x;
        sb += b[i] * x;
        sc += c[i] * x;
        sd += d[i] * x;
      }
      const sums = [sa, sb, sc, sd];
      for (let k = 0; k < 4 && m + k < marks.length; k++) {
        if (sums[k] > best[m + k].score) best[m + k] = { score: sums[k], index: r };
      }
    }
  }
  return best;
}

export function rerankByRegions(candidates: Candidate[], marks: Mark[], options: RerankOptions): RerankedItem[] {
  if (marks.length === 0) {
    return candidates.map((c) => ({ id: c.id, score: c.score, globalScore: c.score, matches: [] })).sort((a, b) => b.score - a.score);
  }
  const dim = marks[0].vector.length;
  for (const m of marks) if (m.vector.length !== dim) throw new Error(`mark ${m.id} has ${m.vector.length} values, expected ${dim}`);
  const out: RerankedItem[] = [];
  for (const c of candidates) {
    let regions = options.regionsOf(c.id);
    if (!regions) {
      const whole = options.fallbackOf?.(c.id);
      if (whole) regions = { count: 1, boxes: [{ x: 0, y: 0, w: whole.width, h: whole.height }], sources: ['window'], vectors: whole.vector };
    }
    if (!regions || regions.count === 0) {
      out.push({ id: c.id, score: c.score, globalScore: c.score, matches: [] });
      continue;
    }
    if (regions.vectors.length !== regions.count * dim) throw new Error(`regions of image ${c.id} have dim ${regions.vectors.length / regions.count}, marks have ${dim}`);
    const best = bestMatches(marks, regions.vectors, regions.count, dim);
    const rel: number[] = [];
    const irr: number[] = [];
    const matches: MarkMatch[] = [];
    best.forEach((b, i) => {
      (marks[i].relevant ? rel : irr).push(b.score);
      matches.push({ mark: marks[i].id, relevant: marks[i].relevant, box: regions.boxes[b.index], score: b.score });
    });
    matches.sort((a, b) => b.score - a.score);
    out.push({ id: c.id, score: combineRegionScore(c.score, rel, irr, options.lambda, options.mu), globalScore: c.score, matches });
  }
  return out.sort((a, b) => b.score - a.score || a.id - b.id);
}
