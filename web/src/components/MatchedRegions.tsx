// "Matched here": the regions of a result that matched the user's region feedback (refine-query's
// `matches`), drawn over the image at any displayed size. Purely visual: it never takes a pointer.
import { toPercent } from '../geometry.ts';
import type { ResultItem } from '../types.ts';

export function matchLabel(match: NonNullable<ResultItem['matches']>[number]): string {
  return `matched “${match.mark}” (similarity ${match.score.toFixed(2)})`;
}

export function MatchedRegions({ item, showLabels = false }: { item: ResultItem; showLabels?: boolean }) {
  const matches = item.matches ?? [];
  if (matches.length === 0 || !item.width || !item.height) return null;
  const natural = { width: item.width, height: item.height };
  return (
    <div className="pointer-events-none absolute inset-0" data-testid="matched-regions">
      {matches.map((m, i) => (
        <div
          key={i}
          data-matched-region={m.mark}
          title={matchLabel(m)}
          className="absolute border-2 border-dashed border-amber-300 shadow-[0_0_0_1px_rgb(0_0_0/0.6)]"
          style={toPercent(m.box, natural)}
        >
          {showLabels && (
            <span className="absolute left-0 top-0 max-w-full truncate bg-slate-900 px-1 text-xs text-white">
              {m.mark} · {m.score.toFixed(2)}
            </span>
          )}
        </div>
      ))}
    </div>
  );
}
