// Region feedback scored region against region (../shared/docs/feedback-measured.md): every region
// the user boxed in the session is a mark (the crop's image embedding and/or the caption's text
// embedding); candidates are re-scored by how well their own regions match the marks, and the query
// vector is left alone, so the evidence stays compositional and does not drift over turns.
import type { PlannedRegion } from '../agent/feedback/feedback-plan.ts';
import { rerankByRegions, type CandidateRegion, type RegionMark, type RegionScoreOptions } from '../agent/feedback/region-score.ts';
import type { TurnRecord } from '../agent/sessions/session-store.ts';
import type { Library } from '../engine/library/library.ts';
import { loadRegionsConfig } from '../engine/regions/config.ts';
import { embedBoxes } from '../engine/regions/region-embedding.ts';
import type { Box, SearchHit } from '../engine/types.ts';
import type { ResultItem } from './schemas.ts';

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

/**
 * A mark per caption (text embedding) and per box, embedded the way the region store's regions are
 * (configs/regions.yaml `embed`: pooled from the image's tokens, one encoder pass per marked image, or
 * a crop of the original pixels).
 */
export async function encodeMarks(library: Library, regions: readonly PlannedRegion[]): Promise<RegionMark[]> {
  const runtime = await library.runtime();
  const captioned = regions.filter((r) => r.caption?.trim());
  const textVectors = captioned.length ? await runtime.encodeTexts(captioned.map((r) => r.caption!.trim())) : [];
  const marks: RegionMark[] = captioned.map((r, i) => ({ label: markLabel(r), vector: textVectors[i], relevant: r.relevant }));
  const boxed = regions.filter((r) => r.box);
  const imageIds = [...new Set(boxed.map((r) => r.imageId))];
  const items = await Promise.all(imageIds.map(async (id) => ({ image: await library.loadImage(id), boxes: boxed.filter((r) => r.imageId === id).map((r) => r.box as Box) })));
  const vectors = await embedBoxes(runtime, items, loadRegionsConfig().embed);
  const vectorOf = new Map(imageIds.flatMap((id, i) => boxed.filter((r) => r.imageId === id).map((r, k) => [r, vectors[i][k]] as const)));
  for (const region of boxed) marks.push({ label: markLabel(region), vector: vectorOf.get(region) as Float32Array, relevant: region.relevant });
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
