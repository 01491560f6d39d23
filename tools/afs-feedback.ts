// The afs feedback source of refine-query: the library model's attentive feedback summarizer
// (engine/feedback/afs) over the results the user marked relevant, or else the previous turn's top-K
// (automatic, like PRF), with the query text as its query and the user's boxes on those images
// steering its attention. Gives composeFeedback's afs input and a saliency map per feedback image.
import type { FeedbackInputs } from '../engine/feedback/compose.ts';
import type { PlannedRegion } from '../engine/feedback/feedback-plan.ts';
import { afsNegativeVector, boxSteeringBias, itemShares, saliencyMap, type SaliencyMap } from '../engine/feedback/afs/afs-feedback.ts';
import type { Library } from '../engine/library/library.ts';
import { cellBoxes, tokenGrid } from '../engine/regions/token-cells.ts';
import { ToolError } from './errors.ts';

export interface AfsFeedback {
  input: NonNullable<FeedbackInputs['afs']>;
  saliency: (SaliencyMap & { id: number })[];
}

export async function afsFeedback(
  library: Library,
  queryText: string | undefined,
  relevantIds: readonly number[],
  lastResults: readonly { id: number }[],
  regions: readonly PlannedRegion[],
): Promise<AfsFeedback> {
  if (!queryText) throw new ToolError('bad-input', 'afs feedback summarizes for a typed query; this session was started from an image (set the afs weight to 0)');
  const runtime = await library.runtime();
  let afs;
  try {
    afs = await runtime.afs();
  } catch (err) {
    throw new ToolError('bad-input', `afs feedback is unavailable for this library: ${err instanceof Error ? err.message : String(err)}`);
  }
  const ids = (relevantIds.length ? relevantIds : lastResults.map((r) => r.id)).filter((id) => library.vector(id) !== undefined).slice(0, afs.settings.topK);
  if (ids.length === 0) throw new ToolError('bad-input', 'afs feedback needs results to summarize: mark relevant results or refine after a search');

  const [query] = await runtime.encodeTextTokens([queryText]);
  const pixels = await Promise.all(ids.map(async (id) => runtime.prepare(await library.loadImage(id))));
  const tokens = await runtime.encodeImageTokens(pixels);
  const items = ids.map((id, i) => {
    const boxes = regions.filter((r) => r.imageId === id && r.box).map((r) => ({ box: r.box!, relevant: r.relevant }));
    const record = library.getImage(id);
    if (boxes.length === 0 || !record?.width || !record.height) return { tokens: tokens[i] };
    const cells = cellBoxes(record.width, record.height, runtime.preprocess, tokenGrid(tokens[i].count).side);
    return { tokens: tokens[i], bias: boxSteeringBias(tokens[i].count, cells, boxes) };
  });
  const out = await afs.summarize(query, items);
  const n = afsNegativeVector(
    out.attention,
    ids.map((id) => library.vector(id)!),
    afs.settings.tau,
  );
  const shares = itemShares(out.attention);
  const least = ids[shares.indexOf(Math.min(...shares))];
  return {
    input: { p: out.summary, n, positive: ids.map(String), negative: n ? [String(least)] : [] },
    saliency: ids.map((id, i) => ({ id, ...saliencyMap(out.attention[i]) })),
  };
}
