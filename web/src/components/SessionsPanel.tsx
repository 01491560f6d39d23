// Past sessions, newest first, each with its picture: opening one rebuilds its thread from the
// server; deleting one removes it there.
import { useEffect, useState } from 'react';
import { api, thumbUrl } from '../api.ts';
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
  useEffect(() => {
    api
      .sessions()
      .then((r) => setSessions(r.sessions))
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
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
  return (
    <Modal title="Past sessions" onClose={onClose}>
      <div className="max-h-[70vh] overflow-auto p-4" data-testid="sessions-panel">
        {error && (
          <p role="alert" className="text-red-700">
            Could not list sessions: {error}
          </p>
        )}
        {!sessions && !error && <Spinner label="Loading…" />}
        {sessions?.length === 0 && <p className="text-slate-600">No sessions yet.</p>}
        <ul className="space-y-1">
          {sessions?.map((s) => (
            <li key={s.id} className={`flex items-center gap-2 rounded ${s.id === currentId ? 'bg-indigo-50 ring-1 ring-indigo-300' : ''}`}>
              <button type="button" onClick={() => onOpen(s.id)} className="flex min-h-11 flex-1 items-center gap-3 rounded px-3 py-2 text-left hover:bg-slate-100">
                {s.thumbId !== undefined ? (
                  <img src={thumbUrl(s.thumbId, 96)} alt="" className="h-12 w-12 shrink-0 rounded object-cover" />
                ) : (
                  <span className="h-12 w-12 shrink-0 rounded bg-slate-100" aria-hidden="true" />
                )}
                <span>
                  <span className="block font-medium">{s.query || '(image query)'}</span>
                  <span className="text-xs text-slate-600">
                    {s.turns} turn{s.turns === 1 ? '' : 's'} · {new Date(s.updatedAt).toLocaleString()}
                  </span>
                </span>
              </button>
              <button
                type="button"
                onClick={() => remove(s.id)}
                data-testid="delete-session"
                aria-label={`Delete the session “${s.query || 'image query'}”`}
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
