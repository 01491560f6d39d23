// Past sessions, newest first, each with its picture and title (the first query, or the name the
// user gave it): opening one rebuilds its thread from the server; renaming and deleting happen there.
import { useEffect, useState, type FormEvent } from 'react';
import { api, thumbUrl } from '../api.ts';
import { maxSessionTitleLength } from '../../../tools/contract/session-title.ts';
import type { SessionSummary } from '../types.ts';
import { Modal } from './Modal.tsx';
import { Spinner } from './Spinner.tsx';

interface Props {
  currentId?: string;
  onOpen: (id: string) => void;
  onDeleted: (id: string) => void;
  onClose: () => void;
}

export function SessionsPanel({ currentId, onOpen, onDeleted, onClose }: Props) {
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<{ id: string; title: string } | null>(null);
  useEffect(() => {
    api
      .sessions()
      .then((r) => setSessions(r.sessions))
      .catch((err: unknown) => setError(`Could not list sessions: ${err instanceof Error ? err.message : String(err)}`));
  }, []);
  const remove = (id: string) => {
    api
      .deleteSession(id)
      .then(() => {
        setSessions((list) => list?.filter((s) => s.id !== id) ?? null);
        onDeleted(id);
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  };
  const rename = (e: FormEvent) => {
    e.preventDefault();
    if (!renaming) return;
    api
      .renameSession(renaming.id, renaming.title)
      .then((r) => {
        setSessions((list) => list?.map((s) => (s.id === r.id ? { ...s, title: r.title } : s)) ?? null);
        setRenaming(null);
        setError(null);
      })
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  };
  return (
    <Modal title="Past sessions" onClose={onClose}>
      <div className="max-h-[70vh] overflow-auto p-4" data-testid="sessions-panel">
        {error && (
          <p role="alert" className="text-red-700">
            {error}
          </p>
        )}
        {!sessions && !error && <Spinner label="Loading…" />}
        {sessions?.length === 0 && <p className="text-slate-600">No sessions yet.</p>}
        <ul className="space-y-1">
          {sessions?.map((s) => (
            <li key={s.id} data-testid="session-entry" className={`flex items-center gap-2 rounded ${s.id === currentId ? 'bg-indigo-50 ring-1 ring-indigo-300' : ''}`}>
              {renaming?.id === s.id ? (
                <form onSubmit={rename} className="flex flex-1 items-center gap-2 px-3 py-2" aria-label="Rename the session">
                  <label className="sr-only" htmlFor={`title-${s.id}`}>
                    New name of the session
                  </label>
                  <input
                    id={`title-${s.id}`}
                    data-testid="rename-input"
                    value={renaming.title}
                    maxLength={maxSessionTitleLength}
                    required
                    autoFocus
                    onChange={(e) => setRenaming({ id: s.id, title: e.target.value })}
                    onKeyDown={(e) => {
                      // Escape leaves the field, not the whole panel.
                      if (e.key === 'Escape') {
                        e.stopPropagation();
                        e.preventDefault();
                        setRenaming(null);
                      }
                    }}
                    className="min-h-11 flex-1 rounded border border-slate-300 px-2 sm:min-h-8"
                  />
                  <button type="submit" data-testid="rename-save" className="min-h-11 min-w-11 rounded bg-indigo-700 px-3 text-sm text-white hover:bg-indigo-800 sm:min-h-8">
                    Save
                  </button>
                </form>
              ) : (
                <button type="button" onClick={() => onOpen(s.id)} className="flex min-h-11 flex-1 items-center gap-3 rounded px-3 py-2 text-left hover:bg-slate-100">
                  {s.thumbId !== undefined ? (
                    <img src={thumbUrl(s.thumbId, 96)} alt="" className="h-12 w-12 shrink-0 rounded object-cover" />
                  ) : (
                    <span className="h-12 w-12 shrink-0 rounded bg-slate-100" aria-hidden="true" />
                  )}
                  <span>
                    <span className="block font-medium" data-testid="session-title">
                      {s.title}
                    </span>
                    <span className="text-xs text-slate-600">
                      {s.turns} turn{s.turns === 1 ? '' : 's'} · {new Date(s.updatedAt).toLocaleString()}
                    </span>
                  </span>
                </button>
              )}
              {renaming?.id !== s.id && (
                <button
                  type="button"
                  onClick={() => setRenaming({ id: s.id, title: s.title })}
                  data-testid="rename-session"
                  aria-label={`Rename the session “${s.title}”`}
                  className="min-h-11 min-w-11 rounded px-2 text-sm text-slate-800 hover:bg-slate-100"
                >
                  Rename
                </button>
              )}
              <button
                type="button"
                onClick={() => remove(s.id)}
                data-testid="delete-session"
                aria-label={`Delete the session “${s.title}”`}
                className="min-h-11 min-w-11 rounded px-2 text-sm text-red-800 hover:bg-red-50"
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      </div>
    </Modal>
  );
}
