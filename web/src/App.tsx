// The chat web app: a thread of turns (query → results → feedback → refined results), the large
// view for boxes, settings and past sessions. The agent runs on the server behind /api/chat.
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { useChat } from '@ai-sdk/react';
import { DefaultChatTransport, type FileUIPart } from 'ai';
import { api, exportUrl } from './api.ts';
import { AppliedBoxes } from './components/AppliedBoxes.tsx';
import { BoxDialog } from './components/BoxDialog.tsx';
import { Composer } from './components/Composer.tsx';
import { ErrorBoundary } from './components/ErrorBoundary.tsx';
import { MessageView, type GridHandlers } from './components/MessageView.tsx';
import { SessionsPanel } from './components/SessionsPanel.tsx';
import { SettingsPanel } from './components/SettingsPanel.tsx';
import { Spinner } from './components/Spinner.tsx';
import { StatusBar } from './components/StatusBar.tsx';
import { feedbackCount, toRefineRequest, useFeedback } from './state/feedback.ts';
import { saveFeedback, savedFeedback } from './state/saved-drafts.ts';
import { friendlyError } from './friendly-error.ts';
import { liveAnnouncement } from './live-announcement.ts';
import { pictureBoxes, usePictureBoxes } from './state/picture-boxes.ts';
import { useRegionCaptions } from './state/region-captions.ts';
import { useSettings } from './state/settings.ts';
import type { ActiveRegion, AgentInfo, ChatMessage, ChatSettings, ResultItem, UserMetadata } from './types.ts';

const sessionKey = 'visualref.session';
const maxUploadBytes = 15 * 1024 * 1024;

/** The session the thread belongs to: the newest answer that names one. */
function sessionIdOf(messages: ChatMessage[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const id = messages[i].role === 'assistant' ? messages[i].metadata?.sessionId : undefined;
    if (id) return id;
  }
  return undefined;
}

/** The regions the session applies now: as the newest refinement of the thread listed them. */
function activeRegionsOf(messages: ChatMessage[]): ActiveRegion[] {
  for (let i = messages.length - 1; i >= 0; i--) {
    const part = messages[i].parts.findLast((p) => p.type === 'tool-refine-query' && p.state === 'output-available');
    if (part?.type === 'tool-refine-query' && part.state === 'output-available') return part.output.activeRegions ?? [];
  }
  return [];
}

/** The size of every image shown in the thread. */
function imageSizes(messages: ChatMessage[]): Map<number, { width: number; height: number }> {
  const sizes = new Map<number, { width: number; height: number }>();
  for (const m of messages) {
    for (const p of m.parts) {
      if ((p.type === 'tool-search' || p.type === 'tool-refine-query') && p.state === 'output-available') {
        for (const r of p.output.results) sizes.set(r.id, { width: r.width, height: r.height });
      }
    }
  }
  return sizes;
}

function sessionFromLocation(): string | undefined {
  const hash = new URLSearchParams(window.location.hash.slice(1)).get('session');
  return hash ?? localStorage.getItem(sessionKey) ?? undefined;
}

function hasResults(message: ChatMessage): boolean {
  return message.parts.some((p) => (p.type === 'tool-search' || p.type === 'tool-refine-query') && p.state === 'output-available');
}

function readAsDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error('cannot read the file'));
    reader.readAsDataURL(file);
  });
}

export function App() {
  const [config, setConfig] = useState<{ settings: ChatSettings; agent: AgentInfo } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [restoring, setRestoring] = useState<string | null>(null);
  const [viewing, setViewing] = useState<{ item: ResultItem; items: ResultItem[]; turn: number } | null>(null);
  const [panel, setPanel] = useState<'settings' | 'sessions' | null>(null);
  const [attachment, setAttachment] = useState<FileUIPart | null>(null);
  const [feedback, dispatch] = useFeedback();
  const { settings, update: updateSettings, reset: resetSettings } = useSettings(config?.settings);
  useRegionCaptions(feedback, dispatch);
  const threadEnd = useRef<HTMLDivElement>(null);

  const transport = useMemo(
    () =>
      new DefaultChatTransport<ChatMessage>({
        api: '/api/chat',
        // Only the new turn travels: the server keeps the session, and uploads are not re-sent.
        prepareSendMessagesRequest: ({ id, messages }) => ({
          body: { id, sessionId: sessionIdOf(messages.slice(0, -1)), message: messages[messages.length - 1] },
        }),
      }),
    [],
  );
  const { messages, sendMessage, regenerate, status, error, setMessages, clearError, stop } = useChat<ChatMessage>({
    transport,
    // The marks and boxes were used once a refinement succeeded; after a failure they stay for a retry.
    onFinish: ({ message, messages, isError, isAbort }) => {
      const asked = messages.findLast((m) => m.role === 'user')?.metadata?.request;
      const failed = message.parts.some((p) => 'state' in p && p.state === 'output-error');
      if (asked?.action === 'refine' && !isError && !isAbort && !failed) dispatch({ type: 'clear' });
    },
  });
  const busy = status === 'submitted' || status === 'streaming';
  const sessionId = sessionIdOf(messages);

  useEffect(() => {
    api
      .config()
      .then(setConfig)
      .catch((err: unknown) => setNotice(`Could not load the settings: ${err instanceof Error ? err.message : String(err)}`));
  }, []);

  const openSession = useCallback(
    (id: string) => {
      setPanel(null);
      setRestoring(id);
      api
        .session(id)
        .then((r) => {
          // Marks and boxes prepared before a reload come back with their session.
          const saved = savedFeedback(id);
          dispatch(saved ? { type: 'restore', state: saved } : { type: 'clear' });
          setMessages(r.messages);
        })
        .catch((err: unknown) => {
          setNotice(`Could not open session ${id}: ${err instanceof Error ? err.message : String(err)}`);
          localStorage.removeItem(sessionKey);
          history.replaceState(null, '', window.location.pathname);
        })
        .finally(() => setRestoring(null));
    },
    [dispatch, setMessages],
  );

  // A reload (or a shared link) brings the session back from the server.
  useEffect(() => {
    const id = sessionFromLocation();
    if (id) openSession(id);
  }, [openSession]);

  useEffect(() => {
    if (!sessionId) return;
    localStorage.setItem(sessionKey, sessionId);
    history.replaceState(null, '', `#session=${encodeURIComponent(sessionId)}`);
  }, [sessionId]);

  useEffect(() => {
    if (sessionId) saveFeedback(sessionId, feedback);
  }, [sessionId, feedback]);

  useEffect(() => {
    threadEnd.current?.scrollIntoView({ behavior: 'smooth', block: 'end' });
  }, [messages.length, status]);

  const send = (text: string, request: UserMetadata['request'], files?: FileUIPart[]) => {
    setNotice(null);
    clearError();
    const metadata: UserMetadata = { request, settings };
    if (text || files?.length) void sendMessage({ text, files, metadata });
    else void sendMessage({ parts: [], metadata });
  };

  const newSearch = () => {
    if (busy) void stop();
    setMessages([]);
    dispatch({ type: 'clear' });
    pictureBoxes.clear();
    setAttachment(null);
    setNotice(null);
    clearError();
    localStorage.removeItem(sessionKey);
    history.replaceState(null, '', window.location.pathname);
  };

  const search = (text: string) => {
    // A typed or uploaded query starts a new thread; "more like this" continues the current one.
    newSearch();
    send(text, { action: 'search' }, attachment ? [attachment] : undefined);
    setAttachment(null);
  };

  const refine = (comment: string) => send(comment, { action: 'refine', ...toRefineRequest(feedback), pictureRegions: pictureBoxes.take() });

  const moreLikeThis = (imageId: number) => {
    setViewing(null);
    send('', { action: 'search', imageId });
  };

  // Retry re-sends the failed turn (the user's message stays as it was): no second copy of it.
  const retry = () => {
    setNotice(null);
    clearError();
    void regenerate();
  };

  // Focus goes back to the card of the image last shown (previous / next may have moved on), once
  // the dialog is gone: the browser's own focus restore to the opener would otherwise win.
  const returnFocus = useRef<{ item: ResultItem; turn: number } | null>(null);
  useEffect(() => {
    const shown = returnFocus.current;
    if (viewing || !shown) return;
    returnFocus.current = null;
    document.querySelector<HTMLElement>(`[data-testid=result-grid][data-turn="${shown.turn}"] [data-image-id="${shown.item.id}"] [data-testid=open-large]`)?.focus();
  }, [viewing]);
  const closeViewer = () => {
    returnFocus.current = viewing;
    setViewing(null);
  };

  const attach = async (file: File) => {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type)) return setNotice(`${file.name} is not a JPEG, PNG or WebP image.`);
    if (file.size > maxUploadBytes) return setNotice(`${file.name} is larger than 15 MB.`);
    try {
      setAttachment({ type: 'file', mediaType: file.type, filename: file.name, url: await readAsDataUrl(file) });
    } catch (err) {
      setNotice(`Could not read ${file.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  const onDrop = (e: DragEvent) => {
    const file = e.dataTransfer.files[0];
    if (!file) return;
    e.preventDefault();
    void attach(file);
  };

  const latestWithResults = messages.findLastIndex(hasResults);
  const grid: GridHandlers = {
    feedback,
    onMark: (imageId, mark) => dispatch({ type: 'mark', imageId, mark }),
    onOpen: (item, items, turn) => setViewing({ item, items, turn }),
    onMoreLikeThis: moreLikeThis,
    busy,
  };
  const pictureMarks = usePictureBoxes().length;
  const applied = useMemo(() => activeRegionsOf(messages), [messages]);
  const sizes = useMemo(() => imageSizes(messages), [messages]);
  const counts = feedbackCount(feedback);
  const captioning = feedback.boxes.filter((b) => b.captionState === 'pending' && !b.edited).length;

  return (
    <div className="flex h-dvh flex-col" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
      <header className="flex flex-wrap items-center gap-3 border-b border-slate-200 bg-white px-4 py-2">
        <h1 className="text-lg font-bold text-indigo-700">visualref</h1>
        <StatusBar />
        <nav className="ml-auto flex gap-2" aria-label="Sessions and settings">
          <button type="button" onClick={() => setPanel('sessions')} className="inline-flex min-h-11 items-center rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50 sm:min-h-0" data-testid="open-sessions">
            Sessions
          </button>
          {sessionId && (
            <a href={exportUrl(sessionId)} download className="inline-flex min-h-11 items-center rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50 sm:min-h-0" data-testid="export-session">
              Export
            </a>
          )}
          <button
            type="button"
            onClick={() => setPanel('settings')}
            disabled={!settings}
            className="inline-flex min-h-11 items-center rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50 sm:min-h-0 disabled:opacity-50"
            data-testid="open-settings"
          >
            Settings
          </button>
        </nav>
      </header>

      <p className="sr-only" aria-live="polite" data-testid="live-status">
        {liveAnnouncement(messages, status, error ? friendlyError(error.message) : null)}
      </p>
      <main className="flex-1 overflow-y-auto">
        <div className="mx-auto max-w-6xl space-y-4 p-4">
          {messages.length === 0 && !restoring && (
            <section className="rounded-xl border border-dashed border-slate-300 p-6 text-slate-700">
              <p className="font-medium text-slate-800">Describe the image you are looking for, or drop one here.</p>
              <p className="mt-1 text-sm">
                Then mark results relevant or irrelevant, open one to box the parts that matter (each box is captioned, and you can edit the caption), add a comment, and press Refine.
              </p>
            </section>
          )}
          {restoring && <Spinner label={`Restoring session ${restoring}…`} />}
          <ErrorBoundary label="This part of the conversation could not be shown.">
            {messages.map((m, i) => (
              <MessageView key={m.id} message={m} latest={i === latestWithResults} grid={grid} />
            ))}
          </ErrorBoundary>
          {status === 'submitted' && <Spinner label="Working…" />}
          {error && (
            <div role="alert" data-testid="chat-error" className="flex items-start justify-between gap-2 rounded-lg border border-red-300 bg-red-50 p-3 text-red-900">
              <span>{friendlyError(error.message)}</span>
              <span className="flex shrink-0 gap-1">
                <button type="button" onClick={retry} data-testid="retry" className="min-h-11 rounded bg-red-800 px-3 text-sm font-medium text-white hover:bg-red-900 sm:min-h-8">
                  Retry
                </button>
                <button type="button" onClick={clearError} className="min-h-11 rounded px-2 text-sm hover:bg-red-100 sm:min-h-8">
                  Dismiss
                </button>
              </span>
            </div>
          )}
          {notice && (
            <div role="alert" className="flex items-start justify-between gap-2 rounded-lg border border-amber-300 bg-amber-50 p-3 text-amber-900">
              <span>{notice}</span>
              <button type="button" onClick={() => setNotice(null)} className="rounded px-2 text-sm hover:bg-amber-100">
                Dismiss
              </button>
            </div>
          )}
          <div ref={threadEnd} />
        </div>
      </main>

      <AppliedBoxes regions={applied} removed={feedback.removed} sizeOf={(id) => sizes.get(id)} sessionId={sessionId} dispatch={dispatch} />
      <Composer
        hasSession={Boolean(sessionId)}
        busy={busy}
        pending={{ ...counts, boxes: counts.boxes + pictureMarks, captioning }}
        attachment={attachment}
        onAttach={(file) => void attach(file)}
        onDetach={() => setAttachment(null)}
        onSearch={search}
        onRefine={refine}
        onNewSearch={newSearch}
        onStop={() => void stop()}
      />

      {viewing && (
        <BoxDialog
          item={viewing.item}
          items={viewing.items}
          feedback={feedback}
          dispatch={dispatch}
          onNavigate={(item) => setViewing({ ...viewing, item })}
          onMoreLikeThis={moreLikeThis}
          onClose={closeViewer}
        />
      )}
      {panel === 'settings' && settings && <SettingsPanel settings={settings} onChange={updateSettings} onReset={resetSettings} onClose={() => setPanel(null)} />}
      {panel === 'sessions' && (
        <SessionsPanel currentId={sessionId} onOpen={openSession} onDeleted={(id) => id === sessionId && newSearch()} onClose={() => setPanel(null)} />
      )}
    </div>
  );
}
