// The generated picture as an image query of a refine turn (issue 20): generated within the turn's
// time limit (configs/generation.yaml turnTimeoutMs), encoded by the library's model and fused by
// score with the turn's other queries (weight: configs/feedback.yaml generated.weight). A generator
// that fails or is too slow costs the turn its picture, not its results: the notice says so.
import type { WeightedQuery } from '../engine/feedback/compose.ts';
import type { ToolContext } from './context.ts';
import { generationFor, visualizeSession } from './visualize-query.ts';
import type { VisualizeQueryOutput } from './contract/visualize-query.ts';

export interface PictureQuery {
  output: VisualizeQueryOutput;
  /** The picture's embedding; absent when there is no picture this turn. */
  vector?: Float32Array;
}

export async function pictureQuery(ctx: ToolContext, sessionId: string, extra: string | undefined): Promise<PictureQuery> {
  const { turnTimeoutMs } = generationFor(ctx);
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      stop.abort();
      reject(new Error(`the picture took longer than ${turnTimeoutMs / 1000} s`));
    }, turnTimeoutMs);
  });
  try {
    const visual = await Promise.race([visualizeSession(ctx, sessionId, extra, stop.signal), timedOut]);
    if (!visual.image) return { output: visual.output };
    return { output: visual.output, vector: await ctx.library.encodeImage(visual.image) };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { output: { sessionId, prompt: '', reason: `no picture this turn (${why}); refined without it` } };
  } finally {
    clearTimeout(timer);
  }
}

/** The turn's queries with the picture added at `weight` of the total (the others keep their proportions). */
export function withPicture(scoring: WeightedQuery[], vector: Float32Array, weight: number): WeightedQuery[] {
  const total = scoring.reduce((s, q) => s + q.weight, 0);
  return [...scoring.map((q) => ({ ...q, weight: ((1 - weight) * q.weight) / total })), { modality: 'image', vector, weight }];
}
