// Region feedback scored region against region (../shared/docs/feedback-measured.md): every region
// the user boxed in the session is a mark (the crop's image embedding and/or the caption's text
// embedding); candidates are re-scored by how well their own regions match the marks, and the query
// vector is left alone, so the evidence stays compositional and does not drift over turns.
import type { PlannedRegion } from '../engine/feedback/feedback-plan.ts';
import { rerankByRegions, type CandidateRegion, type RegionMark, type RegionScoreOptions } from '../engine/regions/region-score.ts';
import type { TurnRecord } from './sessions/session-store.ts';
import type { Library } from '../engine/library/library.ts';
import type { SearchHit } from '../engine/types.ts';
import type { ResultItem } from './contract/schemas.ts';

/** Where the regions of a candidate image come from (a region index), when the library has one. */
export type RegionsOf = (id: number) => readonly CandidateRegion[] | undefined;

function regionKey(r: PlannedRegion): string {
  return JSON.stringify([r.imageId, r.box ?? null, r.caption ?? null, r.relevant]);
}

/** The regions of earlier turns and of this one, each once, the most recent `limit`. */
export function sessionRegions(turns: readonly TurnRecord[], current: readonly PlannedRegion[], limit: number): PlannedRegion[] {
  const all = [...turns.flatMap((t) => t.feedback?.regions ?? []), ...current];
  const unique = new Map<string, PlannedRegion>();
  for (const region of all) {
    const key = regionKey(region);
    unique.delete(key);
    unique.set(key, region);
  }
  return [...unique.values()].slice(-limit);
}

export function markLabel(region: PlannedRegion): string {
  return region.caption?.trim() || `region of image ${region.imageId}`;
}

/** A mark per caption (text embedding) and per box (crop embedding of the original pixels). */
export async function encodeMarks(library: Library, regions: readonly PlannedRegion[]): Promise<RegionMark[]> {
  const captioned = regions.filter((r) => r.caption?.trim());
  const textVectors = captioned.length ? await (await library.runtime()).encodeTexts(captioned.map((r) => r.caption!.trim())) : [];
  const marks: RegionMark[] = captioned.map((r, i) => ({ label: markLabel(r), vector: textVectors[i], relevant: r.relevant }));
  for (const region of regions) {
    if (region.box) marks.push({ label: markLabel(region), vector: await library.encodeImage({ id: region.imageId }, region.box), relevant: region.relevant });
  }
  return marks;
}

/** Without a region index, a candidate's one region is the whole image. */
export function wholeImageRegions(library: Library): (id: number) => CandidateRegion[] {
  return (id) => {
    const record = library.getImage(id);
    const vector = library.vector(id);
    if (!record || !vector) return [];
    return [{ box: { x: 0, y: 0, w: record.width ?? 0, h: record.height ?? 0 }, vector }];
  };
}

export interface Reranked {
  hits: SearchHit[];
  /** "Matched here": per result, the region that best matched each relevant mark. */
  matches: Map<number, NonNullable<ResultItem['matches']>>;
}

export function rerankWithMarks(
  hits: readonly SearchHit[],
  marks: readonly RegionMark[],
  regionsOf: (id: number) => readonly CandidateRegion[],
  options: RegionScoreOptions,
  k: number,
): Reranked {
  const ranked = rerankByRegions(hits, marks, regionsOf, options).slice(0, k);
  const matches = new Map(
    ranked.map((hit) => [hit.id, hit.region.matches.filter((m) => m.relevant).map((m) => ({ mark: m.mark, box: m.box, score: m.similarity }))]),
  );
  return { hits: ranked.map(({ id, score }) => ({ id, score })), matches };
}
