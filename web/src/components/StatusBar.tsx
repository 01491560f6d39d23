// The library at a glance: how many images, which model, captioning progress, which agent answers,
// and a banner when the built-in model indexes pictures it was not trained on.
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import type { LibraryStatus } from '../types.ts';

export function StatusBar() {
  const [status, setStatus] = useState<LibraryStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    const poll = () =>
      api
        .status()
        .then((s) => {
          if (stopped) return;
          setStatus(s);
          setError(null);
        })
        .catch((err: unknown) => !stopped && setError(err instanceof Error ? err.message : String(err)));
    void poll();
    const timer = setInterval(poll, 5000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  if (error) return <span className="text-sm text-red-700" role="alert">Server unreachable: {error}</span>;
  if (!status) return <span className="text-sm text-slate-600">…</span>;
  const cap = status.captioning;
  return (
    <>
      {status.warning && (
        <p role="note" data-testid="model-warning" className="order-last basis-full rounded border border-amber-300 bg-amber-50 px-3 py-1 text-sm text-amber-900">
          {status.warning}
        </p>
      )}
      <span className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-slate-600" data-testid="library-status">
      <span>{status.images.toLocaleString()} images</span>
      <span title="embedding model">{status.model}</span>
      {cap && cap.total > 0 && (
        <span className="flex items-center gap-1" title="images with a stored caption">
          captions {cap.done}/{cap.total}
          {cap.running && <progress max={cap.total} value={cap.done} className="h-2 w-20" aria-label="Captioning progress" />}
        </span>
      )}
      <span data-testid="agent-mode" className={`rounded px-1.5 text-xs font-semibold ${status.agent.mode !== 'deterministic' ? 'bg-violet-100 text-violet-800' : 'bg-slate-200 text-slate-700'}`}>
        {status.agent.mode === 'deterministic' ? 'agent: deterministic' : `agent: ${status.agent.mode === 'llama' ? 'llama ' : ''}${status.agent.model ?? 'language model'}`}
      </span>
    </span>
    </>
  );
}
