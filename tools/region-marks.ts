// Region feedback in refine-query: every region the user boxed in the session becomes marks (built by
// engine/regions/marks.ts, the kind set by configs/regions.yaml rerank.marks), and the candidates are
// re-scored by the one region re-rank (engine/regions/rerank.ts) against their stored regions. The
// query vector is left alone, so the evidence stays compositional and does not drift over turns.
import type { PlannedRegion } from '../engine/feedback/feedback-plan.ts';
import type { TurnRecord } from './sessions/session-store.ts';
import type { Library } from '../engine/library/library.ts';
import { buildMarks, type MarkKind } from '../engine/regions/marks.ts';
import type { RegionMark } from '../engine/regions/rerank.ts';
import { effectiveEmbed, tokensOf, type BoxSource, type ImageTokens, type PreparedImage, type RegionEmbed } from '../engine/regions/region-embedding.ts';
import type { TokenCache } from '../engine/regions/token-cache.ts';
import type { ImageRecord } from '../engine/store/image-store.ts';
import { loadLibraryImage, loadPreparedLibraryImage, requireImage } from './library-access.ts';
import { stillApplied } from './active-regions.ts';

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
  return stillApplied(
    [...turns.map((t) => ({ regions: t.feedback?.regions ?? [], removed: t.feedback?.removedRegions ?? [] })), { regions: current, removed }],
    limit,
  );
}

export function markLabel(region: PlannedRegion): string {
  return region.caption?.trim() || `region of image ${region.imageId}`;
}

/**
 * The marks of the session's regions, embedded the way the region store's regions are (configs/regions.yaml
 * `embed`: pooled from the image's tokens, one encoder pass per marked image — none for an image whose
 * tokens `cache` holds — or a crop of the original pixels); captions as text.
 */
export async function encodeMarks(library: Library, regions: readonly PlannedRegion[], kind: MarkKind, embed: RegionEmbed, cache?: TokenCache): Promise<RegionMark[]> {
  const wantsPixels = (region: PlannedRegion) => kind !== 'caption' && region.box !== undefined;
  const runtime = await library.runtime();
  const ids = [...new Set(regions.filter(wantsPixels).map((r) => r.imageId))];
  const images: Map<number, { image: BoxSource; tokens?: ImageTokens }> =
    effectiveEmbed(runtime, embed) === 'tokens'
      ? await markTokens(library, ids, cache)
      : new Map(await Promise.all(ids.map(async (id) => [id, { image: await loadLibraryImage(library, id) }] as const)));
  const inputs = regions.map((region) => ({
    label: markLabel(region),
    relevant: region.relevant,
    ...(wantsPixels(region) ? images.get(region.imageId) : {}),
    box: region.box,
    caption: region.caption?.trim() || undefined,
  }));
  // A region has what the user gave: a box, a caption or both; each kind of mark it can make is made.
  const usable = inputs.filter((m) => (kind === 'crop' ? m.image && m.box : kind === 'caption' ? m.caption : true));
  return buildMarks(usable, kind, runtime, embed);
}

/** The key of an image's tokens: its id and the file it was indexed from (ids may name other files later). */
function tokenKey(record: ImageRecord): string {
  return JSON.stringify([record.id, record.relPath, record.hash, record.size, record.mtimeMs]);
}

/**
 * Each image's size and tokens: from `cache`, else read in one decode-and-resize per image (as the image
 * pass did; side by side, libvips works off the event loop) and encoded in one pass, then cached.
 */
export async function markTokens(library: Library, ids: readonly number[], cache?: TokenCache): Promise<Map<number, { image: PreparedImage; tokens: ImageTokens }>> {
  const found = new Map<number, { image: PreparedImage; tokens: ImageTokens }>();
  const missing: ImageRecord[] = [];
  for (const id of ids) {
    const record = requireImage(library, id);
    const tokens = cache?.get(tokenKey(record));
    if (tokens) found.set(id, { image: { width: record.width, height: record.height }, tokens });
    else missing.push(record);
  }
  if (missing.length) {
    const loaded = await Promise.all(missing.map((record) => loadPreparedLibraryImage(library, record.id)));
    const tokens = await tokensOf(await library.runtime(), loaded.map((image) => ({ image })));
    missing.forEach((record, i) => {
      found.set(record.id, { image: loaded[i], tokens: tokens[i] });
      cache?.set(tokenKey(record), tokens[i]);
    });
  }
  return found;
}
