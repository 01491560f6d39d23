// The MCP Apps view of a search session inside an MCP host's conversation: the web app's result
// grid, large view with box drawing and explanation, fed by the host's tool results; Refine calls
// refine-query through the host and replaces the grid in place.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { App } from '@modelcontextprotocol/ext-apps';
import { BoxDialog } from '../src/components/BoxDialog.tsx';
import { Explanation } from '../src/components/Explanation.tsx';
import { ResultGrid } from '../src/components/ResultGrid.tsx';
import { SaliencyMaps } from '../src/components/SaliencyMaps.tsx';
import { Spinner } from '../src/components/Spinner.tsx';
import { ImageUrlsContext, type ImageUrls } from '../src/image-urls.ts';
import { feedbackCount, toRefineRequest, useFeedback } from '../src/state/feedback.ts';
import { useRegionCaptions } from '../src/state/region-captions.ts';
import type { ResultItem } from '../src/types.ts';
import { hostCalls, shownResult, type ShownResult } from './host-calls.ts';
import { marksSummary } from './marks-summary.ts';
import type { ToolResultFeed } from './tool-result-feed.ts';

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** Tells the model what the user marked, by whichever channel the host offers. */
async function tellModel(app: App, text: string): Promise<void> {
  const host = app.getHostCapabilities();
  if (host?.updateModelContext) await app.updateModelContext({ content: [{ type: 'text', text }] });
  else if (host?.message) await app.sendMessage({ role: 'user', content: [{ type: 'text', text }] });
}

export function ResultsView({ app, feed }: { app: App; feed: ToolResultFeed }) {
  const calls = useMemo(() => hostCalls(app), [app]);
  const [shown, setShown] = useState<ShownResult | null>(null);
  const [fulls, setFulls] = useState(new Map<number, string>());
  const [openItem, setOpenItem] = useState<ResultItem | null>(null);
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [roundTripMs, setRoundTripMs] = useState<number | null>(null);
  const [feedback, dispatch] = useFeedback();
  useRegionCaptions(feedback, dispatch, calls.captionRegion);

  const show = useCallback(
    (next: ShownResult) => {
      setShown(next);
      setOpenItem(null);
      dispatch({ type: 'clear' });
    },
    [dispatch],
  );

  useEffect(
    () =>
      feed.subscribe((result) => {
        try {
          show(shownResult(result));
          setError(null);
        } catch (err) {
          setError(message(err));
        }
      }),
    [feed, show],
  );

  const requested = useRef(new Set<number>());
  const loadFull = useCallback(
    (id: number) => {
      if (requested.current.has(id)) return;
      requested.current.add(id);
      calls.image(id).then(
        (url) => setFulls((m) => new Map(m).set(id, url)),
        (err: unknown) => {
          requested.current.delete(id);
          setError(message(err));
        },
      );
    },
    [calls],
  );

  // Results that came without a thumbnail (the host's result budget), and feedback images with a
  // saliency map that are not among the results, show the original instead.
  useEffect(() => {
    const output = shown?.output;
    const ids = [...(output?.results ?? []), ...(output && 'saliency' in output ? (output.saliency ?? []) : [])].map((item) => item.id);
    for (const id of ids) if (!shown?.thumbnails.has(id)) loadFull(id);
  }, [shown, loadFull]);

  useEffect(() => {
    if (openItem) loadFull(openItem.id);
  }, [openItem, loadFull]);

  const urls = useMemo<ImageUrls>(() => ({ thumb: (id) => shown?.thumbnails.get(id) ?? fulls.get(id), full: (id) => fulls.get(id) }), [shown, fulls]);

  const run = async (call: () => Promise<ShownResult>, after?: (next: ShownResult) => Promise<void>) => {
    setBusy(true);
    setError(null);
    const started = performance.now();
    try {
      const next = await call();
      setRoundTripMs(Math.round(performance.now() - started));
      show(next);
      await after?.(next);
    } catch (err) {
      setError(message(err));
    } finally {
      setBusy(false);
    }
  };

  if (!shown) {
    return (
      <main className="p-3">
        {error ? (
          <p role="alert" data-testid="view-error" className="rounded bg-red-50 p-2 text-sm text-red-900">
            {error}
          </p>
        ) : (
          <Spinner label="Waiting for results…" />
        )}
      </main>
    );
  }

  const { output } = shown;
  const counts = feedbackCount(feedback);
  const pending = counts.relevant + counts.irrelevant + counts.boxes > 0 || comment.trim() !== '';
  const refine = () => {
    const request = { sessionId: output.sessionId, ...toRefineRequest(feedback), ...(comment.trim() ? { comment: comment.trim() } : {}) };
    const marked = feedback;
    const said = comment;
    void run(
      () => calls.refine(request),
      async (next) => {
        setComment('');
        if ('explanation' in next.output) await tellModel(app, marksSummary(output.sessionId, marked, said, next.output));
      },
    );
  };

  return (
    <ImageUrlsContext.Provider value={urls}>
      <main className={`space-y-3 p-3 ${openItem ? 'min-h-[44rem]' : ''}`} data-testid="results-view" data-session={output.sessionId} data-turn={output.turn}>
        <header className="flex flex-wrap items-baseline gap-2 text-sm">
          <h1 className="font-semibold">visualref</h1>
          <span className="text-slate-600">
            turn {output.turn} · {output.results.length} results · click a picture to box a part of it
          </span>
        </header>
        {'explanation' in output && <Explanation explanation={output.explanation} />}
        {'saliency' in output && output.saliency && <SaliencyMaps saliency={output.saliency} />}
        <ResultGrid
          results={output.results}
          turn={output.turn}
          latest
          feedback={feedback}
          onMark={(imageId, mark) => dispatch({ type: 'mark', imageId, mark })}
          onOpen={setOpenItem}
          onMoreLikeThis={(imageId) => void run(() => calls.moreLike(output.sessionId, imageId))}
          busy={busy}
        />
        <div className="flex flex-wrap items-end gap-2">
          <label className="flex min-w-[14rem] flex-1 flex-col text-xs text-slate-600">
            Comment
            <textarea
              data-testid="view-comment"
              rows={2}
              maxLength={1000}
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              placeholder="e.g. more like the striped ones, no stars"
              className="mt-0.5 rounded border border-slate-300 px-2 py-1 text-sm text-slate-900"
            />
          </label>
          <button
            type="button"
            data-testid="view-refine"
            disabled={busy || !pending}
            onClick={refine}
            className="rounded bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700 disabled:opacity-50"
          >
            {busy ? <Spinner label="Refining…" /> : `Refine (${counts.relevant} up, ${counts.irrelevant} down, ${counts.boxes} boxes)`}
          </button>
        </div>
        <div aria-live="polite" className="text-xs text-slate-600">
          {roundTripMs !== null && <span data-testid="view-round-trip">last call through the host: {roundTripMs} ms</span>}
        </div>
        {error && (
          <p role="alert" data-testid="view-error" className="rounded bg-red-50 p-2 text-sm text-red-900">
            {error}
          </p>
        )}
        {openItem && (
          <BoxDialog
            item={openItem}
            items={output.results}
            feedback={feedback}
            dispatch={dispatch}
            onNavigate={setOpenItem}
            onMoreLikeThis={(imageId) => {
              setOpenItem(null);
              void run(() => calls.moreLike(output.sessionId, imageId));
            }}
            onClose={() => setOpenItem(null)}
          />
        )}
      </main>
    </ImageUrlsContext.Provider>
  );
}
