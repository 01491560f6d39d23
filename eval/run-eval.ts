// The evaluation loop: each query (a caption of its target image) is searched by exact cosine; then,
// for each feedback strategy, the simulated user's turns follow and the target's rank is measured at
// every turn. "none" (no feedback) is always measured: the first results, repeated at every turn so
// that it reads as the baseline beside each turn of the strategies.
import type { EvalCollection } from './collection.ts';
import type { CropNaming } from './crop-naming.ts';
import type { EvalImage } from './dataset.ts';
import { metricsFromRanks, rankOfTarget, type RetrievalMetrics } from './metrics.ts';
import { cosineScores, topK, type QueryState, type Strategy } from './strategy.ts';

export type TurnMetrics = { turn: number } & RetrievalMetrics;

export interface EvalReport {
  dataset: string;
  model: string;
  queries: number;
  results: Record<string, TurnMetrics[]>;
  /** Rendered worlds only: single-object crops named by the right "colour shape" (eval/crop-naming.ts). */
  crops?: CropNaming;
}

export interface RunEvalOptions {
  strategies?: Strategy[];
  /** Turns per strategy, the first included (default 1). */
  turns?: number;
  /** How many results the simulated user sees per turn (default 5). */
  shown?: number;
  /** Which caption of each image is its query (default 0, the first). */
  captionIndex?: number;
  /** The first query of each target instead of a caption (mental-image retrieval: a partial description). */
  queryOf?: (image: EvalImage) => string;
  /**
   * Only the first `targets` images are searched for; the rest of the collection stays in every
   * ranking as distractors (mental-image retrieval searches a collection much larger than its target
   * set). Default: every image is a target.
   */
  targets?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function runEval(collection: EvalCollection, options: RunEvalOptions = {}): Promise<EvalReport> {
  const strategies = options.strategies ?? [];
  const turns = options.turns ?? 1;
  const shown = options.shown ?? 5;
  const captionIndex = options.captionIndex ?? 0;
  if (turns < 1) throw new RangeError('turns must be at least 1');
  const count = collection.dataset.images.length;
  const targetCount = options.targets ?? count;
  if (!Number.isInteger(targetCount) || targetCount < 1 || targetCount > count) throw new RangeError(`targets must be a whole number from 1 to the collection's ${count} images, not ${targetCount}`);
  const images = collection.dataset.images.slice(0, targetCount);
  const queries = images.map((image) => options.queryOf?.(image) ?? image.captions[Math.min(captionIndex, image.captions.length - 1)]);
  const vectors = await collection.text.encodeTexts(queries);

  const firstRanks: number[] = [];
  const ranks = new Map(strategies.map((s) => [s.name, Array.from({ length: turns }, () => [] as number[])]));
  for (const target of images) {
    const vector = vectors[target.index];
    const initial: QueryState = { text: queries[target.index], vector, scores: cosineScores(vector, collection) };
    const firstRank = rankOfTarget(initial.scores, target.index);
    firstRanks.push(firstRank);
    for (const strategy of strategies) {
      const perTurn = ranks.get(strategy.name)!;
      perTurn[0].push(firstRank);
      let state = initial;
      for (let turn = 1; turn < turns; turn++) {
        state = await strategy.refine({ turn, state, shown: topK(state.scores, shown), target, collection });
        perTurn[turn].push(rankOfTarget(state.scores, target.index));
      }
    }
    options.onProgress?.(target.index + 1, images.length);
  }

  const baseline = metricsFromRanks(firstRanks);
  const results: Record<string, TurnMetrics[]> = { none: Array.from({ length: turns }, (_, k) => ({ turn: k + 1, ...baseline })) };
  for (const strategy of strategies) {
    results[strategy.name] = ranks.get(strategy.name)!.map((r, k) => ({ turn: k + 1, ...metricsFromRanks(r) }));
  }
  return { dataset: collection.dataset.name, model: collection.model, queries: images.length, results };
}
