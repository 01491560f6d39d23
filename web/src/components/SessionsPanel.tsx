// Past sessions, newest first; opening one rebuilds its thread from the server.
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import type { SessionSummary } from '../types.ts';
import { Modal } from './Modal.tsx';
import { Spinner } from './Spinner.tsx';

export function SessionsPanel({ currentId, onOpen, onClose }: { currentId?: string; onOpen: (id: string) => void; onClose: () => void }) {
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .sessions()
      .then((r) => setSessions(r.sessions))
      .catch((err: unknown) => setError(err instanceof Error ? err.message : String(err)));
  }, []);
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
            <li key={s.id}>
              <button
                type="button"
                onClick={() => onOpen(s.id)}
                className={`w-full rounded px-3 py-2 text-left hover:bg-slate-100 ${s.id === currentId ? 'bg-indigo-50 ring-1 ring-indigo-300' : ''}`}
              >
                <span className="block font-medium">{s.query || '(image query)'}</span>
                <span className="text-xs text-slate-600">
                  {s.turns} turn{s.turns === 1 ? '' : 's'} · {new Date(s.updatedAt).toLocaleString()}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </div>
    </Modal>
  );
}
