// One result: thumbnail with its "matched here" regions, rank, how it moved since the last turn, and
// the user's marks. The grid owns keyboard focus: the thumbnail is the card's one tab stop.
import { BoxIcon, Similar, ThumbDown, ThumbUp } from './Icons.tsx';
import { useImageUrls } from '../image-urls.ts';
import { movement } from '../geometry.ts';
import type { Mark, ResultItem } from '../types.ts';
import { FramedImage } from './FramedImage.tsx';
import { MatchedRegions } from './MatchedRegions.tsx';

interface Props {
  item: ResultItem;
  mark: Mark | undefined;
  boxes: number;
  /** 0 for the grid's current card, -1 for the others (one tab stop per grid). */
  tabIndex: number;
  /** `range`: Shift was held, so the mark extends from the last card marked in this grid. */
  onMark: (mark: Mark | undefined, range: boolean) => void;
  onOpen: () => void;
  onMoreLikeThis: () => void;
  busy: boolean;
}

// Solid backgrounds that keep white text above 4.5:1 (test/e2e-web-phone.test.ts checks them).
const moveStyle = { up: 'bg-emerald-700', down: 'bg-rose-700', new: 'bg-sky-700', same: 'bg-slate-600' } as const;
const action = 'flex min-h-11 items-center justify-center rounded sm:min-h-8';

export function ResultCard({ item, mark, boxes, tabIndex, onMark, onOpen, onMoreLikeThis, busy }: Props) {
  const move = movement(item.rank, item.previousRank);
  const urls = useImageUrls();
  const ring = mark === 'relevant' ? 'ring-4 ring-emerald-600' : mark === 'irrelevant' ? 'ring-4 ring-rose-600' : 'ring-1 ring-slate-200';
  const matched = item.matches?.length ?? 0;
  return (
    <li data-testid="result-card" data-image-id={item.id} data-rank={item.rank} className={`group relative overflow-hidden rounded-lg bg-white ${ring}`}>
      <button
        type="button"
        onClick={onOpen}
        tabIndex={tabIndex}
        className="block w-full focus-visible:outline-offset-[-4px]"
        aria-label={`Result ${item.rank}${mark ? `, marked ${mark}` : ''}${matched ? `, matched in ${matched} place${matched > 1 ? 's' : ''}` : ''}. Enter opens it; R relevant, X irrelevant, M more like this.`}
        aria-keyshortcuts="Enter R X M"
        data-testid="open-large"
      >
        <FramedImage src={urls.thumb(item.id)} alt={`Result ${item.rank}`} width={item.width} height={item.height}>
          <MatchedRegions item={item} />
        </FramedImage>
      </button>
      <div className="pointer-events-none absolute left-1 top-1 flex gap-1 text-xs font-semibold text-white">
        <span className="rounded bg-slate-900 px-1.5 py-0.5">#{item.rank}</span>
        {move && (
          <span data-testid="movement" className={`rounded px-1.5 py-0.5 ${moveStyle[move.kind]}`}>
            {move.label}
          </span>
        )}
        {boxes > 0 && (
          <span className="flex items-center gap-0.5 rounded bg-amber-800 px-1.5 py-0.5">
            {boxes} <BoxIcon />
          </span>
        )}
      </div>
      <div className="grid grid-cols-3 gap-1 p-1 text-xs">
        <button
          type="button"
          tabIndex={-1}
          data-testid="mark-relevant"
          aria-pressed={mark === 'relevant'}
          onClick={(e) => onMark(mark === 'relevant' && !e.shiftKey ? undefined : 'relevant', e.shiftKey)}
          className={`${action} ${mark === 'relevant' ? 'bg-emerald-700 text-white' : 'bg-slate-100 text-slate-800 hover:bg-emerald-100'}`}
          aria-label={`Mark result ${item.rank} relevant`}
        >
          <ThumbUp />
        </button>
        <button
          type="button"
          tabIndex={-1}
          data-testid="mark-irrelevant"
          aria-pressed={mark === 'irrelevant'}
          onClick={(e) => onMark(mark === 'irrelevant' && !e.shiftKey ? undefined : 'irrelevant', e.shiftKey)}
          className={`${action} ${mark === 'irrelevant' ? 'bg-rose-700 text-white' : 'bg-slate-100 text-slate-800 hover:bg-rose-100'}`}
          aria-label={`Mark result ${item.rank} irrelevant`}
        >
          <ThumbDown />
        </button>
        <button
          type="button"
          tabIndex={-1}
          data-testid="more-like-this"
          disabled={busy}
          onClick={onMoreLikeThis}
          className={`${action} bg-slate-100 text-slate-800 hover:bg-indigo-100 disabled:opacity-50`}
          aria-label={`More like result ${item.rank}`}
          title="More like this"
        >
          <Similar />
        </button>
      </div>
    </li>
  );
}
