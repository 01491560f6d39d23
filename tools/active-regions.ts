// The regions a session applies at every refine, as refine-query lists them: boxes on results and boxes
// on generated pictures, each with a short key derived from what it is (image or picture, box, caption,
// relevance), so the same region always has the same key and removeRegions can name it in a later turn
// (sessionRegions in tools/region-marks.ts and sessionPictureRegions in tools/picture-marks.ts honour it).
import { createHash } from 'node:crypto';
import type { PlannedRegion } from '../engine/feedback/feedback-plan.ts';
import type { ActiveRegion } from './contract/schemas.ts';
import type { PictureRegionRecord } from './sessions/session-records.ts';
import { ToolError } from './errors.ts';

type Region = PlannedRegion | PictureRegionRecord;

export function activeKeyOf(r: Region): string {
  // A box on a result keeps the key it had before boxes on pictures were listed.
  const identity = 'pictureId' in r
    ? JSON.stringify(['picture', r.pictureId, r.box, r.caption ?? null, r.relevant])
    : JSON.stringify([r.imageId, r.box ?? null, r.caption ?? null, r.relevant]);
  return `k-${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}

/**
 * The regions of a session's turns, each once, in the order last boxed, the most recent `limit`. Each
 * step's removed keys stop a region applying from that step on, until it is boxed again.
 */
export function stillApplied<R extends Region>(steps: readonly { regions: readonly R[]; removed: readonly string[] }[], limit: number): R[] {
  const unique = new Map<string, R>();
  for (const step of steps) {
    for (const key of step.removed) unique.delete(key);
    for (const region of step.regions) {
      const key = activeKeyOf(region);
      unique.delete(key);
      unique.set(key, region);
    }
  }
  return [...unique.values()].slice(-limit);
}

export function toActiveRegions(regions: readonly PlannedRegion[], pictureRegions: readonly PictureRegionRecord[] = []): ActiveRegion[] {
  return [
    ...regions.map((r) => ({
      key: activeKeyOf(r),
      imageId: r.imageId,
      ...(r.box ? { box: r.box } : {}),
      ...(r.caption ? { caption: r.caption } : {}),
      relevant: r.relevant,
    })),
    ...pictureRegions.map((r) => ({
      key: activeKeyOf(r),
      pictureId: r.pictureId,
      box: r.box,
      ...(r.caption ? { caption: r.caption } : {}),
      relevant: r.relevant,
    })),
  ];
}

/** Refuses a key in removeRegions that names no region the session applies now. */
export function checkRemovable(active: readonly Region[], keys: readonly string[]): void {
  const known = new Set(active.map(activeKeyOf));
  const unknown = keys.filter((k) => !known.has(k));
  if (unknown.length) {
    throw new ToolError('bad-input', `removeRegions: ${unknown.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not among the regions this session applies (activeRegions of the last refine-query lists them)`);
  }
}

/** What the explanation says about regions removed in this turn. */
export function removedNote(count: number): string {
  return `Stopped applying ${count} box${count > 1 ? 'es' : ''} of earlier turns.`;
}
