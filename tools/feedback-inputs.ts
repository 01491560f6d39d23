// Turns what a refine-query caller gave (ids, regions, a comment, text) and the regions remembered by
// caption-region into a feedback plan (engine/feedback/feedback-plan.ts) and composeFeedback's inputs:
// boxes are resolved and ids checked here, the library encodes what the query mixes in.
import type { FeedbackInputs, FeedbackItem } from '../engine/feedback/compose.ts';
import { feedbackInputs, planFeedback, type FeedbackPlan, type PlannedRegion } from '../engine/feedback/feedback-plan.ts';
import type { PendingRegion } from './sessions/session-store.ts';
import { latestCaptionTexts } from '../engine/captioners/caption-store.ts';
import { BoxError, resolveBox } from '../engine/images/box.ts';
import type { Library } from '../engine/library/library.ts';
import { ToolError } from './errors.ts';
import { requireImage } from './library-access.ts';
import type { RefineQueryInput } from './contract/schemas.ts';

export interface GatheredFeedback {
  plan: FeedbackPlan;
  inputs: FeedbackInputs;
}

/** The call's regions with boxes in pixels of the original image (fractions converted, bad boxes refused). */
function resolveRegions(library: Library, regions: NonNullable<RefineQueryInput['regions']>): PlannedRegion[] {
  return regions.map((region, i) => {
    const where = `regions[${i}]`;
    const record = requireImage(library, region.imageId);
    const caption = region.caption?.trim() || undefined;
    if (!caption && !region.box) throw new ToolError('bad-input', `${where}: give a box, a caption, or both`);
    const planned: PlannedRegion = { imageId: region.imageId, caption, relevant: region.relevant, regionId: region.regionId };
    if (region.box) {
      try {
        planned.box = resolveBox(region.box, region.units, { width: record.width, height: record.height });
      } catch (err) {
        if (err instanceof BoxError) throw new ToolError('bad-box', `${where}.box: ${err.message}`);
        throw err;
      }
    }
    return planned;
  });
}

function storedVector(library: Library, id: number): Float32Array {
  const vector = library.vector(id);
  if (!vector) throw new ToolError('unknown-image', `image ${id} has no stored vector; re-index the library`);
  return vector;
}

/** GRF: text embeddings of the stored captions of the previous results, in rank order. */
async function storedCaptionItems(library: Library, lastResults: { id: number }[]): Promise<FeedbackItem[]> {
  const captions = latestCaptionTexts(
    library.db,
    lastResults.map((r) => r.id),
  );
  const ranked = lastResults.filter((r) => captions.has(r.id)).map((r) => captions.get(r.id)!);
  if (ranked.length === 0) return [];
  const vectors = await (await library.runtime()).encodeTexts(ranked);
  return ranked.map((text, i) => ({ label: text, vector: vectors[i], modality: 'text' }));
}

export async function gatherFeedback(
  library: Library,
  input: RefineQueryInput,
  pending: PendingRegion[],
  lastResults: { id: number; rank: number }[],
  options: { prf: boolean; grf: boolean },
): Promise<GatheredFeedback> {
  const marked = new Set(input.relevant ?? []);
  const both = (input.irrelevant ?? []).find((id) => marked.has(id));
  if (both !== undefined) throw new ToolError('bad-input', `image ${both} is marked both relevant and irrelevant; mark it one way`);

  const plan = planFeedback(
    { relevant: input.relevant, irrelevant: input.irrelevant, regions: resolveRegions(library, input.regions ?? []), comment: input.comment, text: input.text },
    lastResults,
    pending.map(({ imageId, box, caption, relevant, regionId }) => ({ imageId, box, caption, relevant, regionId })),
  );
  for (const id of [...plan.relevantIds, ...plan.irrelevantIds]) requireImage(library, id);
  // A remembered region whose image has since left the library is refused like a given one.
  for (const region of plan.regions) requireImage(library, region.imageId);

  // Regions are not mixed into the query: refine-query scores them region against region.
  const texts = plan.texts;
  const textVectors = texts.length ? await (await library.runtime()).encodeTexts(texts) : [];
  const prf = options.prf
    ? lastResults.flatMap((r): FeedbackItem[] => {
        const vector = library.vector(r.id);
        return vector ? [{ label: String(r.id), vector, modality: 'image' }] : [];
      })
    : undefined;
  const grf = options.grf ? await storedCaptionItems(library, lastResults) : undefined;
  const inputs = feedbackInputs(
    plan,
    {
      texts: new Map(texts.map((t, i) => [t, textVectors[i]])),
      images: new Map([...plan.relevantIds, ...plan.irrelevantIds].map((id) => [id, storedVector(library, id)])),
      prf,
      grf,
    },
  );
  return { plan, inputs };
}
