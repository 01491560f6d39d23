// Where each turn starts. Its mode is explicit: typed text is a new search, unless the user is
// refining (marks or boxes pending, or "Refine" chosen), and then it is the comment of the refinement,
// with an offer to search for the text instead. Enter sends, Shift+Enter makes a new line; the
// half-written text survives a reload.
import { ImageIcon } from './Icons.tsx';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { saveDraft, savedDraft } from '../state/saved-drafts.ts';
import type { FileUIPart } from 'ai';
import { Spinner } from './Spinner.tsx';

interface Props {
  hasSession: boolean;
  busy: boolean;
  pending: { relevant: number; irrelevant: number; boxes: number; removed: number; captioning: number };
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
  const [text, setText] = useState(savedDraft);
  const [chosen, setChosen] = useState<'search' | 'refine' | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const marked = pending.relevant + pending.irrelevant + pending.boxes + pending.removed;
  const canRefine = hasSession && !attachment;
  const refining = canRefine && (chosen ?? (marked > 0 ? 'refine' : 'search')) === 'refine';
  const elapsed = useElapsed(busy);
  const typed = text.trim();

  useEffect(() => saveDraft(text), [text]);

  const sent = () => {
    setText('');
    setChosen(null);
  };

  const search = () => {
    if (busy || (!typed && !attachment)) return;
    onSearch(typed);
    sent();
  };

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    if (busy) return;
    if (!refining) return search();
    if (!marked && !typed) return;
    onRefine(typed);
    sent();
  };

  const summary = [
    pending.relevant && `${pending.relevant} relevant`,
    pending.irrelevant && `${pending.irrelevant} irrelevant`,
    pending.boxes && `${pending.boxes} box${pending.boxes > 1 ? 'es' : ''}`,
    pending.removed && `${pending.removed} earlier box${pending.removed > 1 ? 'es' : ''} removed`,
  ].filter(Boolean);

  const modeButton = (mode: 'search' | 'refine', label: string) => (
    <button
      type="button"
      role="radio"
      aria-checked={(refining ? 'refine' : 'search') === mode}
      data-testid={`mode-${mode}`}
      onClick={() => setChosen(mode)}
      className={`min-h-11 rounded-md px-3 text-sm sm:min-h-8 ${(refining ? 'refine' : 'search') === mode ? 'bg-indigo-700 text-white' : 'text-slate-800 hover:bg-slate-100'}`}
    >
      {label}
    </button>
  );

  return (
    <form onSubmit={submit} className="space-y-2 border-t border-slate-200 bg-white p-3" aria-label="Compose the next turn" data-mode={refining ? 'refine' : 'search'}>
      {attachment && (
        <div className="flex items-center gap-2 text-sm">
          <img src={attachment.url} alt="Image to search with" className="h-12 w-12 rounded object-cover" />
          <span className="truncate">{attachment.filename}</span>
          <button type="button" onClick={onDetach} className="min-h-11 rounded px-2 text-slate-700 hover:bg-slate-100 sm:min-h-8">
            Remove
          </button>
        </div>
      )}
      {canRefine && (
        <div role="radiogroup" aria-label="What the text is for" className="flex w-fit gap-1 rounded-lg border border-slate-300 p-0.5">
          {modeButton('search', 'New search')}
          {modeButton('refine', 'Refine these results')}
        </div>
      )}
      <div className="flex flex-wrap items-end gap-2 sm:flex-nowrap">
        <label className="sr-only" htmlFor="composer-input">
          {refining ? 'Comment for the refinement' : 'What are you looking for?'}
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
          placeholder={refining ? 'Comment for the refinement, e.g. “more like the beach ones, no people” (optional)' : 'What are you looking for? Or drop an image here.'}
          className="min-h-[2.75rem] flex-[1_1_100%] resize-y rounded-lg border border-slate-300 px-3 py-2 sm:flex-1"
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
        <button type="button" onClick={() => fileInput.current?.click()} className="min-h-11 min-w-11 rounded-lg border border-slate-300 px-3 py-2 hover:bg-slate-50" title="Search with an image">
          <ImageIcon />
          <span className="sr-only">Add an image</span>
        </button>
        {busy ? (
          <button type="button" onClick={onStop} className="min-h-11 rounded-lg bg-slate-700 px-4 py-2 font-medium text-white">
            Stop
          </button>
        ) : refining ? (
          <button
            type="submit"
            data-testid="refine-button"
            disabled={!marked && !typed}
            title={!marked && !typed ? 'Mark a result, draw a box or write a comment first' : undefined}
            className="min-h-11 rounded-lg bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800 disabled:cursor-not-allowed disabled:opacity-50"
          >
            Refine
          </button>
        ) : (
          <button type="submit" data-testid="search-button" className="min-h-11 rounded-lg bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800">
            Search
          </button>
        )}
        <button
          type="button"
          onClick={() => {
            sent();
            onNewSearch();
          }}
          data-testid="new-search"
          className="min-h-11 rounded-lg border border-slate-300 px-3 py-2 hover:bg-slate-50"
        >
          Start over
        </button>
      </div>
      {refining && typed && !busy && (
        <p className="text-sm">
          <button type="button" data-testid="search-instead" onClick={search} className="min-h-11 text-indigo-800 underline sm:min-h-0">
            Search for “{typed.length > 60 ? `${typed.slice(0, 60)}…` : typed}” instead?
          </button>
        </p>
      )}
      <p className="flex flex-wrap gap-3 text-xs text-slate-700">
        {busy && <Spinner label={`${refining ? 'Refining' : 'Searching'}…${elapsed >= 1 ? ` ${elapsed} s` : ''}`} />}
        {refining && (summary.length ? <span>Next refinement: {summary.join(' · ')}</span> : <span>Mark results, draw boxes or write a comment, then Refine.</span>)}
        {canRefine && !refining && <span>Enter starts a new search. Mark results or choose “Refine these results” to refine instead.</span>}
        {pending.captioning > 0 && <Spinner label={`captioning ${pending.captioning} box${pending.captioning > 1 ? 'es' : ''}…`} />}
      </p>
    </form>
  );
}
