// From one refine-query call to the feedback inputs of composeFeedback, in two steps around the
// encoders: planFeedback says what must be encoded (texts, image ids, region crops), the caller
// encodes, then feedbackInputs assembles the labelled vectors.
import type { Box } from '../types.ts';
import { parseComment, type ParsedComment } from './comment-parser.ts';
import type { FeedbackInputs, FeedbackItem } from './compose.ts';

export interface PlannedRegion {
  imageId: number;
  /** In pixels of the original image (the caller converts fractions first). */
  box?: Box;
  caption?: string;
  relevant: boolean;
  /** Set when the region was captioned ahead (caption-region with a session). */
  regionId?: string;
}

export interface FeedbackRequest {
  relevant?: number[];
  irrelevant?: number[];
  regions?: PlannedRegion[];
  comment?: string;
  text?: string;
}

export interface FeedbackPlan {
  /** Judged images: the given ids plus results the comment points to by rank ("like the second one"). */
  relevantIds: number[];
  irrelevantIds: number[];
  /** The call's regions, then pending regions of the session not already among them. */
  regions: PlannedRegion[];
  comment: ParsedComment | null;
  explicit: string[];
  /** Every distinct text to embed with the text encoder: region captions, comment phrases, explicit text. */
  texts: string[];
  /** Parts of the comment that could not be applied, as sentences for the user (not dropped silently). */
  notApplied: string[];
}

/**
 * @param lastResults the previous turn's results, to resolve ranks named in the comment
 * @param pending regions captioned for this session since the last refine
 */
export function planFeedback(
  request: FeedbackRequest,
  lastResults: readonly { id: number; rank: number }[],
  pending: readonly PlannedRegion[] = [],
): FeedbackPlan {
  const comment = request.comment?.trim() ? parseComment(request.comment) : null;
  const idAtRank = new Map(lastResults.map((r) => [r.rank, r.id]));
  const byRank = (ranks: number[]) => ranks.map((r) => idAtRank.get(r)).filter((id): id is number => id !== undefined);
  // Marks given explicitly win over ranks named in the comment when the two disagree.
  const markedRelevant = request.relevant ?? [];
  const markedIrrelevant = request.irrelevant ?? [];
  const named = byRank(comment?.referencedRanks ?? []).filter((id) => !markedIrrelevant.includes(id));
  const namedBad = byRank(comment?.rejectedRanks ?? []).filter((id) => !markedRelevant.includes(id) && !named.includes(id));
  const notApplied: string[] = [];
  for (const rank of comment?.referencedRanks ?? []) {
    const id = idAtRank.get(rank);
    if (id === undefined) notApplied.push(`the comment names result ${rank}, but the last turn has ${lastResults.length} results`);
    else if (markedIrrelevant.includes(id)) notApplied.push(`the comment likes result ${rank}, but it is marked irrelevant: the mark was used`);
  }
  for (const rank of comment?.rejectedRanks ?? []) {
    const id = idAtRank.get(rank);
    if (id === undefined) notApplied.push(`the comment names result ${rank}, but the last turn has ${lastResults.length} results`);
    else if (markedRelevant.includes(id)) notApplied.push(`the comment rejects result ${rank}, but it is marked relevant: the mark was used`);
  }
  const relevantIds = unique([...markedRelevant, ...named]);
  const irrelevantIds = unique([...markedIrrelevant, ...namedBad]);
  const given = request.regions ?? [];
  const givenIds = new Set(given.map((r) => r.regionId).filter((id) => id !== undefined));
  const regions = [...given, ...pending.filter((r) => !r.regionId || !givenIds.has(r.regionId))];
  const explicit = request.text?.trim() ? [request.text.trim()] : [];
  // Region captions are not here: they become marks of the region re-rank (engine/regions/marks.ts).
  const texts = unique([
    ...(comment?.positive ?? []),
    ...(comment?.negative ?? []),
    ...explicit,
  ]);
  return { relevantIds, irrelevantIds, regions, comment, explicit, texts, notApplied: unique(notApplied) };
}

export interface EncodedFeedback {
  /** Text embeddings of plan.texts. */
  texts: ReadonlyMap<string, Float32Array>;
  /** Image embeddings of the judged images. */
  images: ReadonlyMap<number, Float32Array>;
  /** Top results for PRF (image embeddings) and GRF (caption text embeddings), in rank order. */
  prf?: FeedbackItem[];
  grf?: FeedbackItem[];
}

/** Assembles composeFeedback's inputs; a text or image the caller did not encode is an error. */
export function feedbackInputs(plan: FeedbackPlan, encoded: EncodedFeedback): FeedbackInputs {
  const text = (t: string): FeedbackItem => {
    const vector = encoded.texts.get(t);
    if (!vector) throw new Error(`no text embedding for ${JSON.stringify(t)}`);
    return { label: t, vector, modality: 'text' };
  };
  const image = (id: number): FeedbackItem => {
    const vector = encoded.images.get(id);
    if (!vector) throw new Error(`no image embedding for image ${id}`);
    return { label: String(id), vector, modality: 'image' };
  };
  const inputs: FeedbackInputs = {};
  if (plan.relevantIds.length || plan.irrelevantIds.length) {
    inputs.judged = { positive: plan.relevantIds.map(image), negative: plan.irrelevantIds.map(image) };
  }
  if (plan.comment && (plan.comment.positive.length || plan.comment.negative.length)) {
    inputs.comment = { positive: plan.comment.positive.map(text), negative: plan.comment.negative.map(text) };
  }
  if (plan.explicit.length) inputs.explicit = plan.explicit.map(text);
  if (encoded.prf?.length) inputs.prf = encoded.prf;
  if (encoded.grf?.length) inputs.grf = encoded.grf;
  return inputs;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
