// Region feedback in refine-query: every region the user boxed in the session becomes marks (built by
// engine/regions/marks.ts, the kind set by configs/regions.yaml rerank.marks), and the candidates are
// re-scored by the one region re-rank (engine/regions/rerank.ts) against their stored regions. The
// query vector is left alone, so the evidence stays compositional and does not drift over turns.
import type { PlannedRegion } from '../engine/feedback/feedback-plan.ts';
import type { TurnRecord } from './sessions/session-store.ts';
import type { Library } from '../engine/library/library.ts';
import { buildMarks, type MarkKind } from '../engine/regions/marks.ts';
import type { RegionMark } from '../engine/regions/rerank.ts';
import type { RegionEmbed } from '../engine/regions/region-embedding.ts';
import { loadLibraryImage } from './library-access.ts';
import { activeKeyOf } from './active-regions.ts';

/**
 * The regions of earlier turns and of this one, each once, the most recent `limit`. A region removed
 * in a turn (its key, tools/active-regions.ts, in the turn's removedRegions, or in `removed` for this
 * one) stops applying from that turn on, until it is boxed again.
 */
export function sessionRegions(
  turns: readonly TurnRecord[],
  current: readonly PlannedRegion[],
  limit: number,
  removed: readonly string[] = [],
): PlannedRegion[] {
  const unique = new Map<string, PlannedRegion>();
  const apply = (regions: readonly PlannedRegion[], removedKeys: readonly string[]) => {
    for (const key of removedKeys) unique.delete(key);
    for (const region of regions) {
      const key = activeKeyOf(region);
      unique.delete(key);
      unique.set(key, region);
    }
  };
  for (const t of turns) apply(t.feedback?.regions ?? [], t.feedback?.removedRegions ?? []);
  apply(current, removed);
  return [...unique.values()].slice(-limit);
}

export function markLabel(region: PlannedRegion): string {
  return region.caption?.trim() || `region of image ${region.imageId}`;
}

/**
 * The marks of the session's regions, embedded the way the region store's regions are (configs/regions.yaml
 * `embed`: pooled from the image's tokens, one encoder pass per marked image, or a crop of the original
 * pixels); captions as text.
 */
export async function encodeMarks(library: Library, regions: readonly PlannedRegion[], kind: MarkKind, embed: RegionEmbed): Promise<RegionMark[]> {
  const wantsPixels = (region: PlannedRegion) => kind !== 'caption' && region.box !== undefined;
  // The marked images are read and decoded side by side (libvips works off the event loop).
  const ids = [...new Set(regions.filter(wantsPixels).map((r) => r.imageId))];
  const decoded = await Promise.all(ids.map((id) => loadLibraryImage(library, id)));
  const originals = new Map(ids.map((id, i) => [id, decoded[i]]));
  const inputs = regions.map((region) => ({
    label: markLabel(region),
    relevant: region.relevant,
    image: wantsPixels(region) ? originals.get(region.imageId) : undefined,
    box: region.box,
    caption: region.caption?.trim() || undefined,
  }));
  // A region has what the user gave: a box, a caption or both; each kind of mark it can make is made.
  const usable = inputs.filter((m) => (kind === 'crop' ? m.image && m.box : kind === 'caption' ? m.caption : true));
  return buildMarks(usable, kind, await library.runtime(), embed);
}
