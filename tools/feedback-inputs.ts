// Turns what a refine-query caller gave (ids, regions, a comment, text) into the embedding-space
// feedback that agent/feedback/compose.ts mixes, plus the record the session keeps of it.
import type { FeedbackInputs, FeedbackItem, Judgement } from '../agent/feedback/compose.ts';
import { parseComment, type ParsedComment } from '../agent/feedback/comment-parser.ts';
import type { PendingRegion } from '../agent/sessions/session-store.ts';
import type { RegionRecord } from '../agent/sessions/session-records.ts';
import { BoxError, resolveBox } from '../engine/images/box.ts';
import type { Library } from '../engine/library/library.ts';
import type { Box } from '../engine/types.ts';
import { ToolError } from './errors.ts';
import { requireImage } from './library-access.ts';
import type { RefineQueryInput } from './schemas.ts';

export interface GatheredFeedback {
  inputs: FeedbackInputs;
  relevant: number[];
  irrelevant: number[];
  regions: RegionRecord[];
  parsedComment?: ParsedComment;
}

function imageItem(library: Library, id: number): FeedbackItem {
  const vector = library.vector(id);
  if (!vector) throw new ToolError('unknown-image', `image ${id} has no stored vector; re-index the library`);
  return { label: `image ${id}`, vector, modality: 'image' };
}

function describeBox(box: Box, imageId: number): string {
  return `region ${box.x},${box.y} ${box.w}x${box.h} of image ${imageId}`;
}

function judgement(): Judgement {
  return { positive: [], negative: [] };
}

/** Ids of the previous turn's results at the given 1-based ranks (ranks past the end are ignored). */
function idsAtRanks(previous: number[], ranks: number[]): number[] {
  return ranks.filter((r) => r >= 1 && r <= previous.length).map((r) => previous[r - 1]);
}

export async function gatherFeedback(
  library: Library,
  input: RefineQueryInput,
  pending: PendingRegion[],
  previousIds: number[],
  options: { prf: boolean },
): Promise<GatheredFeedback> {
  const parsedComment = input.comment?.trim() ? parseComment(input.comment) : undefined;
  const relevant = [...new Set([...(input.relevant ?? []), ...idsAtRanks(previousIds, parsedComment?.referencedRanks ?? [])])];
  const irrelevant = [...new Set([...(input.irrelevant ?? []), ...idsAtRanks(previousIds, parsedComment?.rejectedRanks ?? [])])];
  const both = relevant.filter((id) => irrelevant.includes(id));
  if (both.length) throw new ToolError('bad-input', `image ${both[0]} is marked both relevant and irrelevant; mark it one way`);
  for (const id of [...relevant, ...irrelevant]) requireImage(library, id);

  const inputs: FeedbackInputs = {};
  if (relevant.length || irrelevant.length) {
    inputs.judged = { positive: relevant.map((id) => imageItem(library, id)), negative: irrelevant.map((id) => imageItem(library, id)) };
  }

  const regions: RegionRecord[] = [];
  const regionJudgement = judgement();
  const given = (input.regions ?? []).map((r, i) => ({ ...r, where: `regions[${i}]`, regionId: undefined as string | undefined }));
  const remembered = pending.map((p) => ({ ...p, units: 'px' as const, where: `remembered region ${p.regionId}`, regionId: p.regionId }));
  for (const region of [...given, ...remembered]) {
    const record = requireImage(library, region.imageId);
    const caption = region.caption?.trim() || undefined;
    if (!caption && !region.box) throw new ToolError('bad-input', `${region.where}: give a box, a caption, or both`);
    let box: Box | undefined;
    if (region.box) {
      try {
        box = resolveBox(region.box, region.units, { width: record.width, height: record.height });
      } catch (err) {
        if (err instanceof BoxError) throw new ToolError('bad-box', `${region.where}.box: ${err.message}`);
        throw err;
      }
    }
    const side = region.relevant ? regionJudgement.positive : regionJudgement.negative;
    const label = caption ?? describeBox(box!, region.imageId);
    if (caption) {
      const vector = await library.encodeText(caption);
      side.push({ label, vector, modality: 'text' });
    }
    if (box) {
      const vector = await library.encodeImage({ id: region.imageId }, box);
      side.push({ label, vector, modality: 'image' });
    }
    regions.push({ imageId: region.imageId, box, caption, relevant: region.relevant, regionId: region.regionId });
  }
  if (regions.length) inputs.regions = regionJudgement;

  if (parsedComment && (parsedComment.positive.length || parsedComment.negative.length)) {
    const phrases = [...parsedComment.positive, ...parsedComment.negative];
    const vectors = await Promise.all(phrases.map((p) => library.encodeText(p)));
    const items = phrases.map((label, i): FeedbackItem => ({ label, vector: vectors[i], modality: 'text' }));
    inputs.comment = { positive: items.slice(0, parsedComment.positive.length), negative: items.slice(parsedComment.positive.length) };
  }
  if (input.text?.trim()) {
    inputs.explicit = [{ label: input.text.trim(), vector: await library.encodeText(input.text.trim()), modality: 'text' }];
  }
  if (options.prf) {
    const ranked = previousIds.flatMap((id): FeedbackItem[] => {
      const vector = library.vector(id);
      return vector ? [{ label: `image ${id}`, vector, modality: 'image' }] : [];
    });
    if (ranked.length) inputs.prf = ranked;
  }

  return { inputs, relevant, irrelevant, regions, parsedComment };
}
