// Retrieval metrics over the rank of each query's single target (0 = first place).

export interface RetrievalMetrics {
  'hits@1': number;
  'hits@5': number;
  'hits@10': number;
  /** Reciprocal rank when the target is in the top 5, else 0, averaged. */
  'mrr@5': number;
}

/** Position (0-based) of `target` in `scores` sorted high to low; ties count against the target. */
export function rankOfTarget(scores: ArrayLike<number>, target: number): number {
  const score = scores[target];
  let rank = 0;
  for (let i = 0; i < scores.length; i++) {
    if (i !== target && scores[i] >= score) rank++;
  }
  return rank;
}

export function metricsFromRanks(ranks: readonly number[]): RetrievalMetrics {
  if (ranks.length === 0) throw new Error('no queries to measure');
  let h1 = 0;
  let h5 = 0;
  let h10 = 0;
  let mrr = 0;
  for (const rank of ranks) {
    if (rank < 1) h1++;
    if (rank < 5) {
      h5++;
      mrr += 1 / (rank + 1);
    }
    if (rank < 10) h10++;
  }
  const n = ranks.length;
  return { 'hits@1': h1 / n, 'hits@5': h5 / n, 'hits@10': h10 / n, 'mrr@5': mrr / n };
}
