// The regions a session applies at every refine, as refine-query lists them: each with a short key
// derived from what it is (image, box, caption, relevance), so the same region always has the same key
// and removeRegions can name it in a later turn (tools/region-marks.ts sessionRegions honours it).
import { createHash } from 'node:crypto';
import type { PlannedRegion } from '../engine/feedback/feedback-plan.ts';
import type { ActiveRegion } from './contract/schemas.ts';
import { ToolError } from './errors.ts';

export function activeKeyOf(r: PlannedRegion): string {
  const identity = JSON.stringify([r.imageId, r.box ?? null, r.caption ?? null, r.relevant]);
  return `k-${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}

export function toActiveRegions(regions: readonly PlannedRegion[]): ActiveRegion[] {
  return regions.map((r) => ({
    key: activeKeyOf(r),
    imageId: r.imageId,
    ...(r.box ? { box: r.box } : {}),
    ...(r.caption ? { caption: r.caption } : {}),
    relevant: r.relevant,
  }));
}

/** Refuses a key in removeRegions that names no region the session applies now. */
export function checkRemovable(active: readonly PlannedRegion[], keys: readonly string[]): void {
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
