// The plug-in point for relevance feedback in evaluation: a Strategy sees what the simulated user was
// shown at one turn (and the target's ground truth, to simulate the user's marks) and returns the
// query state of the next turn, including the score of every image in the collection.
import type { SearchHit } from '../engine/types.ts';
import type { EvalCollection } from './collection.ts';
import type { EvalImage } from './dataset.ts';

export interface QueryState {
  /** The query text as it stands (strategies that rewrite the text change it). */
  text: string;
  /** The query vector (L2-normalised) in the collection's embedding space. */
  vector: Float32Array;
  /** This turn's score of every image, indexed like collection.dataset.images; higher is better. */
  scores: Float32Array;
  /** What the strategy carries from turn to turn (accumulated marks, region vectors, ...). */
  memory?: unknown;
}

export interface FeedbackTurn {
  /** The turn that was just shown (1 = the first results of the typed query). */
  turn: number;
  state: QueryState;
  /** The results shown at this turn, best first (top 5 by default). */
  shown: SearchHit[];
  /** The image the simulated user is looking for, with its captions and (world) objects. */
  target: EvalImage;
  collection: EvalCollection;
}

export interface Strategy {
  /** The name used in `--strategy` and as the key of the results. */
  readonly name: string;
  /** The next turn's query state from the feedback on `turn.shown`. */
  refine(turn: FeedbackTurn): Promise<QueryState>;
}

/** Cosine scores of a normalised query against every normalised image embedding (exact search). */
export function cosineScores(query: Float32Array, collection: EvalCollection): Float32Array {
  const { matrix, dim } = collection;
  const count = collection.dataset.images.length;
  const scores = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    let dot = 0;
    const offset = i * dim;
    for (let d = 0; d < dim; d++) dot += query[d] * matrix[offset + d];
    scores[i] = dot;
  }
  return scores;
}

/**
 * The k best images by score, best first (ties broken by the lower index). One pass keeping the k best
 * so far: runs call it every turn for every target, over collections of tens of thousands of images.
 */
export function topK(scores: Float32Array, k: number): SearchHit[] {
  const best: number[] = [];
  for (let i = 0; i < scores.length && k > 0; i++) {
    if (best.length === k && scores[i] <= scores[best[k - 1]]) continue;
    // Scanning in index order, an equal score already kept has the lower index and stays ahead.
    let at = best.length;
    while (at > 0 && scores[best[at - 1]] < scores[i]) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best.map((id) => ({ id, score: scores[id] }));
}
