// Where each turn starts: a query (first turn) or a comment (later turns), an optional image, and
import { ImageIcon } from './Icons.tsx';
// the Refine / New search buttons. Enter sends, Shift+Enter makes a new line.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { FileUIPart } from 'ai';
import { Spinner } from './Spinner.tsx';

interface Props {
  hasSession: boolean;
  busy: boolean;
  pending: { relevant: number; irrelevant: number; boxes: number; captioning: number };
  attachment: FileUIPart | null;
  onAttach: (file: File) => void;
  onDetach: () => void;
  onSearch: (text: string) => void;
  onRefine: (comment: string) => void;
  onNewSearch: () => void;
  onStop: () => void;
}

/** Whole seconds since `active` became true, for long turns. */
function useElapsed(active: boolean): number {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    setSeconds(0);
    if (!active) return;
    const started = Date.now();
    const timer = setInterval(() => setSeconds(Math.floor((Date.now() - started) / 1000)), 500);
    return () => clearInterval(timer);
  }, [active]);
  return seconds;
}

export function Composer({ hasSession, busy, pending, attachment, onAttach, onDetach, onSearch, onRefine, onNewSearch, onStop }: Props) {
  const [text, setText] = useState('');
  const fileInput = useRef<HTMLInputElement>(null);
  const refining = hasSession && !attachment;
  const elapsed = useElapsed(busy);

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (busy) return;
    if (refining) onRefine(text.trim());
    else if (text.trim() || attachment) onSearch(text.trim());
    else return;
    setText('');
  };

  const summary = [
    pending.relevant && `${pending.relevant} relevant`,
    pending.irrelevant && `${pending.irrelevant} irrelevant`,
    pending.boxes && `${pending.boxes} box${pending.boxes > 1 ? 'es' : ''}`,
  ].filter(Boolean);

  return (
    <form onSubmit={submit} className="space-y-2 border-t border-slate-200 bg-white p-3" aria-label="Compose the next turn">
      {attachment && (
        <div className="flex items-center gap-2 text-sm">
          <img src={attachment.url} alt="Image to search with" className="h-12 w-12 rounded object-cover" />
          <span>{attachment.filename}</span>
          <button type="button" onClick={onDetach} className="rounded px-2 py-0.5 text-slate-600 hover:bg-slate-100">
            Remove
          </button>
        </div>
      )}
      <div className="flex items-end gap-2">
        <label className="sr-only" htmlFor="composer-input">
          {refining ? 'Comment for the next turn' : 'What are you looking for?'}
        </label>
        <textarea
          id="composer-input"
          data-testid="composer-input"
          value={text}
          rows={2}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) submit(e);
          }}
          placeholder={refining ? 'Comment for the next turn, e.g. “more like the beach ones, no people” (optional)' : 'What are you looking for? Or drop an image here.'}
          className="min-h-[2.75rem] flex-1 resize-y rounded-lg border border-slate-300 px-3 py-2"
        />
        <input
          ref={fileInput}
          type="file"
          accept="image/jpeg,image/png,image/webp"
          className="hidden"
          data-testid="file-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) onAttach(file);
            e.target.value = '';
          }}
        />
        <button type="button" onClick={() => fileInput.current?.click()} className="rounded-lg border border-slate-300 px-3 py-2 hover:bg-slate-50" title="Search with an image">
          <ImageIcon />
          <span className="sr-only">Add an image</span>
        </button>
        {busy ? (
          <button type="button" onClick={onStop} className="rounded-lg bg-slate-600 px-4 py-2 font-medium text-white">
            Stop
          </button>
        ) : refining ? (
          <button type="submit" data-testid="refine-button" className="rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-700">
            Refine
          </button>
        ) : (
          <button type="submit" data-testid="search-button" className="rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-700">
            Search
          </button>
        )}
        <button type="button" onClick={() => { setText(''); onNewSearch(); }} data-testid="new-search" className="rounded-lg border border-slate-300 px-3 py-2 hover:bg-slate-50">
          New search
        </button>
      </div>
      <p className="flex gap-3 text-xs text-slate-600" aria-live="polite">
        {busy && <Spinner label={`${refining ? 'Refining' : 'Searching'}…${elapsed >= 1 ? ` ${elapsed} s` : ''}`} />}
        {refining && (summary.length ? <span>Next turn: {summary.join(' · ')}</span> : <span>Mark results, draw boxes or write a comment, then Refine.</span>)}
        {pending.captioning > 0 && <Spinner label={`captioning ${pending.captioning} box${pending.captioning > 1 ? 'es' : ''}…`} />}
      </p>
    </form>
  );
}
