// Boxes drawn on a generated picture of the session (issue 20: "the user can box parts of the
// generated image as relevant/irrelevant like any result"): each box's crop, encoded by the library's
// model, and its caption when given, become region marks (tools/region-marks.ts). Like boxes on
// results, they are recorded with the turn and stay in force for the session's later turns until removed.
import type { RegionMark } from '../engine/regions/region-score.ts';
import type { PictureRegionRecord } from './sessions/session-records.ts';
import type { TurnRecord } from './sessions/session-store.ts';
import { BoxError, resolveBox } from '../engine/images/box.ts';
import { decodeImage } from '../engine/images/decode.ts';
import type { Library } from '../engine/library/library.ts';
import type { RgbImage } from '../engine/types.ts';
import { ToolError } from './errors.ts';
import { readPicture } from './generated-pictures.ts';
import type { PictureRegion } from './contract/schemas.ts';
import { stillApplied } from './active-regions.ts';

export function pictureMarkLabel(region: { pictureId: string; caption?: string }): string {
  return region.caption?.trim() || `region of picture ${region.pictureId}`;
}

async function loadPicture(library: Library, sessionId: string, pictureId: string): Promise<RgbImage> {
  const png = readPicture(library.dir, sessionId, pictureId);
  if (!png) throw new ToolError('bad-input', `pictureRegions: session ${sessionId} has no picture ${pictureId}; use an id visualize-query returned`);
  return decodeImage(png);
}

/** This turn's boxes in the picture's pixels, checked against the picture (as boxes on results are). */
export async function resolvePictureRegions(library: Library, sessionId: string, regions: readonly PictureRegion[]): Promise<PictureRegionRecord[]> {
  const resolved: PictureRegionRecord[] = [];
  for (const region of regions) {
    const image = await loadPicture(library, sessionId, region.pictureId);
    try {
      const box = resolveBox(region.box, region.units, image);
      resolved.push({ pictureId: region.pictureId, box, relevant: region.relevant, ...(region.caption?.trim() ? { caption: region.caption.trim() } : {}) });
    } catch (err) {
      if (err instanceof BoxError) throw new ToolError('bad-box', `pictureRegions: box on ${region.pictureId}: ${err.message}`);
      throw err;
    }
  }
  return resolved;
}

/**
 * The picture boxes of earlier turns and of this one, each once, the most recent `limit`; like boxes on
 * results, one removed in a turn (its key in the turn's removedRegions, or in `removed` for this one)
 * stops applying from that turn on.
 */
export function sessionPictureRegions(
  turns: readonly TurnRecord[],
  current: readonly PictureRegionRecord[],
  limit: number,
  removed: readonly string[] = [],
): PictureRegionRecord[] {
  return stillApplied(
    [...turns.map((t) => ({ regions: t.feedback?.pictureRegions ?? [], removed: t.feedback?.removedRegions ?? [] })), { regions: current, removed }],
    limit,
  );
}

export async function encodePictureMarks(library: Library, sessionId: string, regions: readonly PictureRegionRecord[]): Promise<RegionMark[]> {
  const marks: RegionMark[] = [];
  const captioned = regions.filter((r) => r.caption);
  if (captioned.length) {
    const vectors = await (await library.runtime()).encodeTexts(captioned.map((r) => r.caption!));
    captioned.forEach((r, i) => marks.push({ label: pictureMarkLabel(r), vector: vectors[i], relevant: r.relevant }));
  }
  for (const region of regions) {
    const image = await loadPicture(library, sessionId, region.pictureId);
    marks.push({ label: pictureMarkLabel(region), vector: await library.encodeImage(image, region.box), relevant: region.relevant });
  }
  return marks;
}
