// One result: thumbnail, rank, score, how it moved since the last turn, and the user's marks.
import { BoxIcon, Similar, ThumbDown, ThumbUp } from './Icons.tsx';
import { useImageUrls } from '../image-urls.ts';
import { MatchedRegions } from './MatchedRegions.tsx';
import { movement } from '../geometry.ts';
import type { Mark, ResultItem } from '../types.ts';

interface Props {
  item: ResultItem;
  mark: Mark | undefined;
  boxes: number;
  onMark: (mark: Mark | undefined) => void;
  onOpen: () => void;
  onMoreLikeThis: () => void;
  busy: boolean;
}

const moveStyle = { up: 'bg-emerald-600', down: 'bg-rose-600', new: 'bg-sky-600', same: 'bg-slate-500' } as const;

export function ResultCard({ item, mark, boxes, onMark, onOpen, onMoreLikeThis, busy }: Props) {
  const move = movement(item.rank, item.previousRank);
  const urls = useImageUrls();
  const ring = mark === 'relevant' ? 'ring-4 ring-emerald-500' : mark === 'irrelevant' ? 'ring-4 ring-rose-500 opacity-70' : 'ring-1 ring-slate-200';
  return (
    <li data-testid="result-card" data-image-id={item.id} data-rank={item.rank} className={`group relative overflow-hidden rounded-lg bg-white ${ring}`}>
      <button type="button" onClick={onOpen} className="relative block w-full overflow-hidden focus-visible:outline-offset-[-4px]" aria-label={`Open image ${item.id} (rank ${item.rank}) to draw boxes`} data-testid="open-large">
        <img src={urls.thumb(item.id)} alt={`Result ${item.rank}, image ${item.id}`} loading="lazy" className="aspect-square w-full bg-slate-100 object-cover" />
        <MatchedRegions item={item} />
      </button>
      <div className="pointer-events-none absolute left-1 top-1 flex gap-1 text-xs font-semibold text-white">
        <span className="rounded bg-slate-900/75 px-1.5 py-0.5">#{item.rank}</span>
        {move && (
          <span data-testid="movement" className={`rounded px-1.5 py-0.5 ${moveStyle[move.kind]}`}>
            {move.label}
          </span>
        )}
        {boxes > 0 && (
          <span className="flex items-center gap-0.5 rounded bg-amber-600 px-1.5 py-0.5">
            {boxes} <BoxIcon />
          </span>
        )}
      </div>
      <div className="flex items-center justify-between gap-1 px-1.5 py-1 text-xs">
        <span className="tabular-nums text-slate-600" title="cosine similarity to the query">
          {item.score.toFixed(3)}
        </span>
        <span className="flex gap-1">
          <button
            type="button"
            data-testid="mark-relevant"
            aria-pressed={mark === 'relevant'}
            onClick={() => onMark(mark === 'relevant' ? undefined : 'relevant')}
            className={`rounded px-1.5 py-0.5 ${mark === 'relevant' ? 'bg-emerald-600 text-white' : 'bg-slate-100 hover:bg-emerald-100'}`}
            aria-label={`Mark image ${item.id} relevant`}
          >
            <ThumbUp />
          </button>
          <button
            type="button"
            data-testid="mark-irrelevant"
            aria-pressed={mark === 'irrelevant'}
            onClick={() => onMark(mark === 'irrelevant' ? undefined : 'irrelevant')}
            className={`rounded px-1.5 py-0.5 ${mark === 'irrelevant' ? 'bg-rose-600 text-white' : 'bg-slate-100 hover:bg-rose-100'}`}
            aria-label={`Mark image ${item.id} irrelevant`}
          >
            <ThumbDown />
          </button>
          <button
            type="button"
            data-testid="more-like-this"
            disabled={busy}
            onClick={onMoreLikeThis}
            className="rounded bg-slate-100 px-1.5 py-0.5 hover:bg-indigo-100 disabled:opacity-50"
            aria-label={`More like image ${item.id}`}
            title="More like this"
          >
            <Similar />
          </button>
        </span>
      </div>
    </li>
  );
}
