// The Rocchio family of query refinements (docs/feedback.md).
// Pure functions: every input vector is L2-normalised first, every refined query normalised again.
import { cosine, l2norm, mean, normalize, softmax, weightedSum } from './vectors.ts';

export interface RocchioWeights {
  /** Weight of the current query. */
  alpha: number;
  /** Weight of the positive vector. */
  beta: number;
  /** Weight of the negative vector. */
  gamma: number;
}

export interface ExtendedRocchioOptions extends RocchioWeights {
  /** Softmax temperature of eq. 1. */
  tau: number;
  /** How many of the top-ranked candidates take part. */
  k: number;
}

export interface FeedbackVectors {
  /** Positive vector, null when there is no positive evidence (its weight is then 0). */
  p: Float32Array | null;
  /** Negative vector, null when there is no negative evidence. */
  n: Float32Array | null;
}

export interface ExtendedRocchioVectors extends FeedbackVectors {
  p: Float32Array;
  /** eq. 1 weights of the top-K candidates, in the order given. */
  weights: number[];
}

export interface RefinedQuery extends FeedbackVectors {
  query: Float32Array;
}

/** Below this norm a summed vector carries no direction (e.g. K = 1 gives n = 0 * v). */
const NEGLIGIBLE = 1e-9;

/** q' = norm(alpha q + beta p - gamma n); a missing p or n contributes nothing. */
export function combineRocchio(q: Float32Array, vectors: FeedbackVectors, w: RocchioWeights): Float32Array {
  const parts = [normalize(q)];
  const weights = [w.alpha];
  if (vectors.p) {
    parts.push(vectors.p);
    weights.push(w.beta);
  }
  if (vectors.n) {
    parts.push(vectors.n);
    weights.push(-w.gamma);
  }
  return normalize(weightedSum(parts, weights));
}

/** eq. 1: w_i = softmax(cos(q, v_i) / tau) over the first k candidates (given in rank order). */
export function extendedRocchioWeights(
  q: Float32Array,
  rankedCandidates: readonly Float32Array[],
  options: { tau: number; k: number },
): number[] {
  const top = rankedCandidates.slice(0, options.k);
  if (top.length === 0) throw new Error('extended Rocchio needs at least one candidate');
  const qn = normalize(q);
  return softmax(
    top.map((v) => cosine(qn, v)),
    options.tau,
  );
}

/**
 * The vectors of extended Rocchio for given eq. 1 weights: p = norm(sum w_i v_i) and the hard
 * negatives n = norm(sum (1 - w_i) v_i). Vectors are used as given (the caller normalises or centres).
 */
export function softmaxFeedbackVectors(vectors: readonly Float32Array[], weights: readonly number[]): FeedbackVectors & { p: Float32Array } {
  const p = normalize(weightedSum(vectors, weights));
  const negativeSum = weightedSum(
    vectors,
    weights.map((w) => 1 - w),
  );
  return { p, n: l2norm(negativeSum) > NEGLIGIBLE ? normalize(negativeSum) : null };
}

/** eq. 1 and the positive/negative vectors of extended Rocchio over the top-k of a ranking. */
export function extendedRocchioVectors(
  q: Float32Array,
  rankedCandidates: readonly Float32Array[],
  options: { tau: number; k: number },
): ExtendedRocchioVectors {
  const weights = extendedRocchioWeights(q, rankedCandidates, options);
  const top = rankedCandidates.slice(0, weights.length).map(normalize);
  return { ...softmaxFeedbackVectors(top, weights), weights };
}

/** Extended Rocchio (eq. 1 + eq. 2) over the top-k of a ranking. */
export function extendedRocchio(
  q: Float32Array,
  rankedCandidates: readonly Float32Array[],
  options: ExtendedRocchioOptions,
): RefinedQuery & { weights: number[] } {
  const vectors = extendedRocchioVectors(q, rankedCandidates, options);
  return { ...vectors, query: combineRocchio(q, vectors, options) };
}

/** Original Rocchio (paper appendix A): p = mean of the top-k, n = mean of the bottom-k of a ranking. */
export function originalRocchio(
  q: Float32Array,
  rankedCandidates: readonly Float32Array[],
  options: RocchioWeights & { k: number },
): RefinedQuery {
  if (rankedCandidates.length === 0) throw new Error('original Rocchio needs at least one candidate');
  const all = rankedCandidates.map(normalize);
  const p = mean(all.slice(0, options.k));
  const n = mean(all.slice(Math.max(0, all.length - options.k)));
  return { p, n, query: combineRocchio(q, { p, n }, options) };
}

/** Mean of the relevant / of the irrelevant vectors; an empty side is null (weight 0). */
export function meanFeedbackVectors(relevant: readonly Float32Array[], irrelevant: readonly Float32Array[]): FeedbackVectors {
  return {
    p: relevant.length > 0 ? mean(relevant.map(normalize)) : null,
    n: irrelevant.length > 0 ? mean(irrelevant.map(normalize)) : null,
  };
}

/**
 * VisualReF (RecSys'25 demo): p = mean of the relevant vectors (caption text embeddings, or crop
 * embeddings in the images-only variant), n = mean of the irrelevant ones, a missing side weighs 0.
 */
export function visualRefRocchio(
  q: Float32Array,
  relevant: readonly Float32Array[],
  irrelevant: readonly Float32Array[],
  weights: RocchioWeights,
): RefinedQuery {
  const vectors = meanFeedbackVectors(relevant, irrelevant);
  return { ...vectors, query: combineRocchio(q, vectors, weights) };
}

/** Explicit feedback: q' = norm(alpha q + beta e_new), no negative. */
export function explicitFeedback(q: Float32Array, eNew: Float32Array, weights: { alpha: number; beta: number }): Float32Array {
  return combineRocchio(q, { p: normalize(eNew), n: null }, { ...weights, gamma: 0 });
}

/** Pseudo-relevance feedback: extended Rocchio over the image embeddings of the top-k results. */
export function pseudoRelevanceFeedback(
  q: Float32Array,
  topImageVectors: readonly Float32Array[],
  options: ExtendedRocchioOptions,
): RefinedQuery & { weights: number[] } {
  return extendedRocchio(q, topImageVectors, options);
}

/**
 * Generative relevance feedback: extended Rocchio over the text embeddings of the stored captions of
 * the top-k results; the eq. 1 weights therefore use cos(q, caption embedding).
 */
export function generativeRelevanceFeedback(
  q: Float32Array,
  topCaptionVectors: readonly Float32Array[],
  options: ExtendedRocchioOptions,
): RefinedQuery & { weights: number[] } {
  return extendedRocchio(q, topCaptionVectors, options);
}
