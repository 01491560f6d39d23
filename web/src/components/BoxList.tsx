// The boxes drawn on one image, in the large view's side panel: relevant or not, where, delete, and
// the caption (automatic until the user edits it).
import type { FeedbackAction } from '../state/feedback.ts';
import type { DraftBox } from '../types.ts';
import { Trash } from './Icons.tsx';
import { Spinner } from './Spinner.tsx';

export function BoxList({ boxes, selected, dispatch }: { boxes: DraftBox[]; selected: string | null; dispatch: (action: FeedbackAction) => void }) {
  return (
    <ol className="space-y-2">
      {boxes.map((b, i) => (
        <li key={b.key} data-testid="box-item" className={`space-y-1 rounded border p-2 ${selected === b.key ? 'border-amber-400' : 'border-slate-200'}`}>
          <div className="flex items-center gap-1 text-sm">
            <span className="font-semibold">{i + 1}</span>
            <button
              type="button"
              aria-pressed={b.relevant}
              onClick={() => dispatch({ type: 'set-relevance', key: b.key, relevant: true })}
              className={`min-h-11 rounded px-1.5 sm:min-h-0 ${b.relevant ? 'bg-emerald-700 text-white' : 'bg-slate-100 text-slate-800'}`}
            >
              relevant
            </button>
            <button
              type="button"
              data-testid="box-irrelevant"
              aria-pressed={!b.relevant}
              onClick={() => dispatch({ type: 'set-relevance', key: b.key, relevant: false })}
              className={`min-h-11 rounded px-1.5 sm:min-h-0 ${!b.relevant ? 'bg-rose-700 text-white' : 'bg-slate-100 text-slate-800'}`}
            >
              irrelevant
            </button>
            <span className="ml-auto tabular-nums text-xs text-slate-600" title="box in pixels of the image">
              {b.box.x},{b.box.y} {b.box.w}×{b.box.h}
            </span>
            <button
              type="button"
              onClick={() => dispatch({ type: 'delete-box', key: b.key })}
              className="min-h-11 min-w-11 rounded px-1.5 text-slate-700 hover:bg-slate-100 sm:min-h-0 sm:min-w-0"
              aria-label={`Delete box ${i + 1}`}
            >
              <Trash />
            </button>
          </div>
          <label className="block text-xs text-slate-700">
            Caption {b.captionState === 'pending' && !b.edited && <Spinner label="captioning…" />}
            <textarea
              data-testid="box-caption"
              data-caption-state={b.captionState}
              value={b.caption}
              rows={2}
              onChange={(e) => dispatch({ type: 'edit-caption', key: b.key, caption: e.target.value })}
              placeholder={b.captionState === 'pending' ? 'captioning…' : 'describe this part'}
              className="mt-0.5 block w-full rounded border border-slate-300 px-2 py-1 text-sm text-slate-900"
            />
          </label>
          {b.captionState === 'error' && (
            <p role="alert" className="text-xs text-red-700">
              Caption failed: {b.captionError}. Type one yourself.
            </p>
          )}
        </li>
      ))}
    </ol>
  );
}
