import type { PendingFeedback } from '../state/feedback.ts';
import type { Mark, ResultItem } from '../types.ts';
import { ResultCard } from './ResultCard.tsx';

interface Props {
  results: ResultItem[];
  turn: number;
  latest: boolean;
  feedback: PendingFeedback;
  onMark: (imageId: number, mark: Mark | undefined) => void;
  onOpen: (item: ResultItem) => void;
  onMoreLikeThis: (imageId: number) => void;
  busy: boolean;
}

export function ResultGrid({ results, turn, latest, feedback, onMark, onOpen, onMoreLikeThis, busy }: Props) {
  if (results.length === 0) return <p className="text-sm text-slate-600">No results.</p>;
  return (
    <ul
      data-testid="result-grid"
      data-turn={turn}
      data-latest={latest}
      aria-label={`Results of turn ${turn}`}
      className={`grid grid-cols-[repeat(auto-fill,minmax(9rem,1fr))] gap-3 ${latest ? '' : 'opacity-80'}`}
    >
      {results.map((item) => (
        <ResultCard
          key={item.id}
          item={item}
          mark={feedback.marks[item.id]}
          boxes={feedback.boxes.filter((b) => b.imageId === item.id).length}
          onMark={(mark) => onMark(item.id, mark)}
          onOpen={() => onOpen(item)}
          onMoreLikeThis={() => onMoreLikeThis(item.id)}
          busy={busy}
        />
      ))}
    </ul>
  );
}
