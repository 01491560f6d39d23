// What a refinement did: which feedback was applied with which weight, and how the ranking moved.
import { useImageUrls } from '../image-urls.ts';
import type { RefineQueryOutput } from '../types.ts';

/** Judged images come back as image ids: show the picture, not a number that is not its rank. */
function Label({ text }: { text: string }) {
  const urls = useImageUrls();
  if (!/^\d+$/.test(text)) return <>{text}</>;
  return <img src={urls.thumb(Number(text), 64)} alt="a marked image" className="my-0.5 h-6 w-6 rounded-sm object-cover" />;
}

export function Explanation({ explanation }: { explanation: RefineQueryOutput['explanation'] }) {
  return (
    <section data-testid="explanation" aria-label="What was applied" className="rounded-lg border border-indigo-200 bg-indigo-50 p-3 text-sm">
      <p className="font-medium">
        <span className="text-emerald-700">↑{explanation.movedUp} up</span> · <span className="text-rose-700">↓{explanation.movedDown} down</span> ·{' '}
        <span className="text-sky-700">{explanation.newResults} new</span>
      </p>
      {explanation.applied.length > 0 && (
        <ul className="mt-2 space-y-1">
          {explanation.applied.map((a, i) => (
            <li key={`${a.source}-${i}`} className="flex flex-wrap items-baseline gap-1">
              <span className="rounded bg-indigo-600 px-1.5 text-xs font-semibold text-white">{a.source}</span>
              <span className="tabular-nums text-xs text-slate-600">weight {a.weight.toFixed(2)}</span>
              {a.positive.map((p, j) => (
                <span key={`p${j}`} className="inline-flex items-center gap-1 rounded bg-emerald-100 px-1.5 text-emerald-900">
                  + <Label text={p} />
                </span>
              ))}
              {a.negative.map((n, j) => (
                <span key={`n${j}`} className="inline-flex items-center gap-1 rounded bg-rose-100 px-1.5 text-rose-900">
                  − <Label text={n} />
                </span>
              ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
