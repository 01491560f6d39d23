// How results moved between two turns, in the shape of refine-query's explanation.
import type { AppliedSource } from './compose.ts';
import { summaryNames } from './sources.ts';

export interface RankedMovement {
  id: number;
  /** 1-based rank in the new turn. */
  rank: number;
  /** 1-based rank in the previous turn, null when the result is new. */
  previousRank: number | null;
  /** previousRank - rank: positive when it moved up, null when new. */
  movement: number | null;
}

export interface Movement {
  items: RankedMovement[];
  movedUp: number;
  movedDown: number;
  newResults: number;
  unchanged: number;
  /** Ids shown before that are no longer in the results. */
  droppedOut: number[];
}

export function explainMovement(previousIds: readonly number[], newIds: readonly number[]): Movement {
  const previousRank = new Map<number, number>();
  previousIds.forEach((id, i) => {
    if (!previousRank.has(id)) previousRank.set(id, i + 1);
  });
  const items = newIds.map((id, i): RankedMovement => {
    const before = previousRank.get(id) ?? null;
    return { id, rank: i + 1, previousRank: before, movement: before === null ? null : before - (i + 1) };
  });
  const shown = new Set(newIds);
  return {
    items,
    movedUp: items.filter((m) => m.movement !== null && m.movement > 0).length,
    movedDown: items.filter((m) => m.movement !== null && m.movement < 0).length,
    newResults: items.filter((m) => m.movement === null).length,
    unchanged: items.filter((m) => m.movement === 0).length,
    droppedOut: [...previousRank.keys()].filter((id) => !shown.has(id)),
  };
}

const SOURCE_NAMES: Record<AppliedSource['source'], string> = { ...summaryNames, fuse: 'original query', generated: 'generated picture' };

/** One sentence for the user: what was applied, then how the results moved. */
export function summarizeRefinement(applied: readonly AppliedSource[], movement: Movement): string {
  const parts = applied.map((a) => {
    // Judged and top-result images are ids, which users mistake for ranks: count them instead.
    if (a.source === 'judged' || a.source === 'prf') {
      const counts = [a.positive.length && `${a.positive.length} relevant`, a.negative.length && `${a.negative.length} irrelevant`].filter(Boolean);
      return counts.length ? `${SOURCE_NAMES[a.source]} (${counts.join(', ')})` : SOURCE_NAMES[a.source];
    }
    const items = [...a.positive.map((p) => `+${p}`), ...a.negative.map((n) => `-${n}`)];
    return items.length && a.source !== 'fuse' ? `${SOURCE_NAMES[a.source]} (${items.join(', ')})` : SOURCE_NAMES[a.source];
  });
  const used = parts.length ? `Used ${parts.join('; ')}.` : 'No feedback given; query unchanged.';
  return `${used} ${movement.movedUp} moved up, ${movement.movedDown} moved down, ${movement.newResults} new.`;
}
