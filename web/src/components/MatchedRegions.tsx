// "Matched here": the regions of a result that matched the user's boxed feedback, drawn on its square,
// cropped (object-cover) thumbnail, with which mark matched and how well.
import type { ResultItem } from '../types.ts';

/** A box in image pixels as CSS percentages of a square that shows the image scaled to cover it. */
function coverPercent(box: { x: number; y: number; w: number; h: number }, width: number, height: number) {
  const scale = 1 / Math.min(width, height);
  const left = (1 - width * scale) / 2 + box.x * scale;
  const top = (1 - height * scale) / 2 + box.y * scale;
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  return { left: pct(left), top: pct(top), width: pct(box.w * scale), height: pct(box.h * scale) };
}

export function MatchedRegions({ item }: { item: ResultItem }) {
  if (!item.matches?.length) return null;
  return (
    <>
      {item.matches.map((m, i) => (
        <span
          key={i}
          data-matched-region={m.mark}
          title={`matched here: ${m.mark} (${m.score.toFixed(2)})`}
          className="pointer-events-none absolute border-2 border-dashed border-amber-400 bg-amber-300/10"
          style={coverPercent(m.box, item.width, item.height)}
        />
      ))}
    </>
  );
}
