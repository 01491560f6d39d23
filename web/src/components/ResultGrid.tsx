// A turn's results. One tab stop per grid: arrow keys move between cards, Enter opens one, R / X
// mark it relevant / irrelevant, M asks for more like it; Shift+click on a mark marks every card
// from the last one marked. Beyond the first page, scrolling to the end of the grid reveals the next
// page (web/src/scroll-reveal.ts); the "Show more" button at the end does the same for keyboards and
// screen readers.
import { useCallback, useRef, useState, type KeyboardEvent } from 'react';
import { useScrollReveal } from '../scroll-reveal.ts';
import type { PendingFeedback } from '../state/feedback.ts';
import type { Mark, ResultItem } from '../types.ts';
import { ResultCard } from './ResultCard.tsx';

interface Props {
  results: ResultItem[];
  turn: number;
  latest: boolean;
  feedback: PendingFeedback;
  onMark: (imageId: number, mark: Mark | undefined) => void;
  onOpen: (item: ResultItem, results: ResultItem[], turn: number) => void;
  onMoreLikeThis: (imageId: number) => void;
  busy: boolean;
}

export const pageSize = 12;

/** Cards per row, read from the layout (the grid's columns depend on the window's width). */
function columnsOf(cards: HTMLElement[]): number {
  const top = cards[0]?.offsetTop;
  const n = cards.findIndex((c) => c.offsetTop !== top);
  return n === -1 ? cards.length : n;
}

export function ResultGrid({ results, turn, latest, feedback, onMark, onOpen, onMoreLikeThis, busy }: Props) {
  const [shown, setShown] = useState(pageSize);
  const [active, setActive] = useState(0);
  const anchor = useRef<number | null>(null);
  const list = useRef<HTMLUListElement>(null);
  const end = useRef<HTMLButtonElement>(null);
  const showMore = useCallback(() => setShown((n) => n + pageSize), []);
  useScrollReveal(end, showMore, `${shown}/${results.length}`);
  if (results.length === 0) return <p className="text-sm text-slate-600">No results.</p>;
  const visible = results.slice(0, shown);
  const current = Math.min(active, visible.length - 1);

  const mark = (index: number, value: Mark | undefined, range: boolean) => {
    const from = range && anchor.current !== null ? Math.min(anchor.current, index) : index;
    const to = range && anchor.current !== null ? Math.max(anchor.current, index) : index;
    for (let i = from; i <= to; i++) onMark(results[i].id, value);
    anchor.current = index;
  };

  const focusCard = (index: number) => {
    setActive(index);
    list.current?.querySelectorAll<HTMLElement>('[data-testid=open-large]')[index]?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    if (!(e.target as HTMLElement).matches('[data-testid=open-large]') || e.altKey || e.ctrlKey || e.metaKey) return;
    const cards = [...(list.current?.querySelectorAll<HTMLElement>('[data-testid=result-card]') ?? [])];
    const columns = columnsOf(cards);
    const item = visible[current];
    const moves: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -columns, ArrowDown: columns };
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (key in moves) focusCard(Math.min(Math.max(current + moves[key], 0), visible.length - 1));
    else if (key === 'Home') focusCard(0);
    else if (key === 'End') focusCard(visible.length - 1);
    else if (key === 'r') mark(current, feedback.marks[item.id] === 'relevant' ? undefined : 'relevant', false);
    else if (key === 'x') mark(current, feedback.marks[item.id] === 'irrelevant' ? undefined : 'irrelevant', false);
    else if (key === 'm' && !busy) onMoreLikeThis(item.id);
    else return;
    e.preventDefault();
  };

  return (
    <div className="space-y-2">
      <ul
        ref={list}
        data-testid="result-grid"
        data-turn={turn}
        data-latest={latest}
        aria-label={`Results of turn ${turn}`}
        onKeyDown={onKeyDown}
        className="grid grid-cols-2 gap-3 sm:grid-cols-[repeat(auto-fill,minmax(9rem,1fr))]"
      >
        {visible.map((item, i) => (
          <ResultCard
            key={item.id}
            item={item}
            mark={feedback.marks[item.id]}
            boxes={feedback.boxes.filter((b) => b.imageId === item.id).length}
            tabIndex={i === current ? 0 : -1}
            onMark={(value, range) => mark(i, value, range)}
            onOpen={() => {
              setActive(i);
              onOpen(item, results, turn);
            }}
            onMoreLikeThis={() => onMoreLikeThis(item.id)}
            busy={busy}
          />
        ))}
      </ul>
      {results.length > shown && (
        <button
          ref={end}
          type="button"
          data-testid="show-more"
          onClick={showMore}
          className="min-h-11 w-full rounded-lg border border-slate-300 px-3 py-2 text-sm text-slate-800 hover:bg-slate-50"
        >
          Show {Math.min(pageSize, results.length - shown)} more of {results.length - shown}
        </button>
      )}
    </div>
  );
}
