// The large view of one result, fitted to the window: zoom, previous / next result, the file's
// details, "more like this", and the boxes: drag on the image to draw one, mark each relevant or not,
// move them (mouse or arrow keys), delete them (Delete), and edit their captions before refining.
// Regions that matched earlier region feedback are drawn dashed ("matched here").
import { ThumbDown, ThumbUp } from './Icons.tsx';
import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent, type RefObject } from 'react';
import { useImageUrls } from '../image-urls.ts';
import { clampBox, displayToImage, moveBox, spanBox, toPercent, type Size } from '../geometry.ts';
import type { FeedbackAction, PendingFeedback } from '../state/feedback.ts';
import type { Box, DraftBox, Mark, ResultItem } from '../types.ts';
import { BoxList } from './BoxList.tsx';
import { ImageDetails, useImageInfo } from './ImageDetails.tsx';
import { MatchedRegions, matchLabel } from './MatchedRegions.tsx';
import { Modal } from './Modal.tsx';
import { Spinner } from './Spinner.tsx';
import { ViewerToolbar } from './ViewerToolbar.tsx';

interface Props {
  item: ResultItem;
  /** The grid the item was opened from, for previous / next. */
  items: ResultItem[];
  feedback: PendingFeedback;
  dispatch: (action: FeedbackAction) => void;
  onNavigate: (item: ResultItem) => void;
  onMoreLikeThis: (imageId: number) => void;
  onClose: () => void;
}

type Drag =
  | { kind: 'draw'; x0: number; y0: number; x1: number; y1: number }
  | { kind: 'move'; key: string; px: number; py: number; start: Box; moved: boolean };

/** Boxes smaller than this on screen are treated as a click, not a box. */
const minDrawn = 6;
const zoomSteps = [1, 1.5, 2, 3, 4];

let boxCounter = 0;
const newKey = () => `box-${Date.now().toString(36)}-${(boxCounter++).toString(36)}`;

/** Size of an element's content box, kept up to date. */
function useSize(ref: RefObject<HTMLElement | null>): Size {
  const [size, setSize] = useState<Size>({ width: 0, height: 0 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => setSize({ width: entry.contentRect.width, height: entry.contentRect.height }));
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return size;
}

export function BoxDialog({ item, items, feedback, dispatch, onNavigate, onMoreLikeThis, onClose }: Props) {
  const urls = useImageUrls();
  const natural: Size = { width: item.width, height: item.height };
  const overlay = useRef<HTMLDivElement>(null);
  const viewport = useRef<HTMLDivElement>(null);
  const area = useSize(viewport);
  const boxRefs = useRef(new Map<string, HTMLDivElement>());
  const [drag, setDrag] = useState<Drag | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState(false);
  const [zoom, setZoom] = useState(1);
  const info = useImageInfo(item.id);
  const boxes = feedback.boxes.filter((b) => b.imageId === item.id);
  const mark: Mark | undefined = feedback.marks[item.id];
  const matches = item.matches ?? [];

  const index = items.findIndex((i) => i.id === item.id);
  const previous = index > 0 ? items[index - 1] : undefined;
  const next = index >= 0 && index < items.length - 1 ? items[index + 1] : undefined;
  // The whole image fits the area (scaled up or down); zoom multiplies that, and the area scrolls.
  const fit = natural.width && natural.height && area.width && area.height ? Math.min(area.width, area.height * (natural.width / natural.height)) : 0;
  const zoomBy = (step: number) => setZoom(zoomSteps[Math.min(Math.max(zoomSteps.indexOf(zoom) + step, 0), zoomSteps.length - 1)]);

  const go = (to: ResultItem | undefined) => {
    if (!to) return;
    setSelected(null);
    setLoaded(false);
    setLoadError(false);
    setZoom(1);
    onNavigate(to);
  };

  const onViewerKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.target as HTMLElement).closest('textarea, input, [data-box-key]') || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'ArrowLeft' || e.key === 'PageUp') go(previous);
    else if (e.key === 'ArrowRight' || e.key === 'PageDown') go(next);
    else if (e.key === '+' || e.key === '=') zoomBy(1);
    else if (e.key === '-') zoomBy(-1);
    else if (e.key === '0') setZoom(1);
    else return;
    e.preventDefault();
  };

  const local = (e: PointerEvent) => {
    const rect = overlay.current!.getBoundingClientRect();
    return { x: Math.min(Math.max(e.clientX - rect.left, 0), rect.width), y: Math.min(Math.max(e.clientY - rect.top, 0), rect.height), rect };
  };

  const addBox = (box: Box) => {
    const key = newKey();
    const draft: DraftBox = { key, imageId: item.id, box, relevant: true, caption: '', captionState: 'pending', edited: false };
    dispatch({ type: 'add-box', box: draft });
    setSelected(key);
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (e.button !== 0) return;
    const { x, y } = local(e);
    overlay.current!.setPointerCapture(e.pointerId);
    const key = (e.target as HTMLElement).closest<HTMLElement>('[data-box-key]')?.dataset.boxKey;
    const hit = key ? boxes.find((b) => b.key === key) : undefined;
    if (hit) {
      setSelected(hit.key);
      boxRefs.current.get(hit.key)?.focus();
      setDrag({ kind: 'move', key: hit.key, px: x, py: y, start: hit.box, moved: false });
    } else {
      setSelected(null);
      setDrag({ kind: 'draw', x0: x, y0: y, x1: x, y1: y });
    }
    e.preventDefault();
  };

  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag) return;
    const { x, y, rect } = local(e);
    if (drag.kind === 'draw') {
      setDrag({ ...drag, x1: x, y1: y });
      return;
    }
    const scale = natural.width / rect.width;
    const dx = Math.round((x - drag.px) * scale);
    const dy = Math.round((y - drag.py) * (natural.height / rect.height));
    if (dx === 0 && dy === 0 && !drag.moved) return;
    dispatch({ type: 'move-box', key: drag.key, box: moveBox(drag.start, dx, dy, natural) });
    if (!drag.moved) setDrag({ ...drag, moved: true });
  };

  const onPointerUp = (e: PointerEvent<HTMLDivElement>) => {
    if (!drag) return;
    const { rect } = local(e);
    if (drag.kind === 'draw') {
      const shown = spanBox(drag.x0, drag.y0, drag.x1, drag.y1);
      if (shown.w >= minDrawn && shown.h >= minDrawn) addBox(displayToImage(shown, { width: rect.width, height: rect.height }, natural));
    }
    setDrag(null);
  };

  const onBoxKey = (e: KeyboardEvent<HTMLDivElement>, b: DraftBox) => {
    const step = (size: number) => Math.max(1, Math.round(size * (e.shiftKey ? 0.1 : 0.02)));
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step(natural.width), 0],
      ArrowRight: [step(natural.width), 0],
      ArrowUp: [0, -step(natural.height)],
      ArrowDown: [0, step(natural.height)],
    };
    if (moves[e.key]) {
      const [dx, dy] = moves[e.key];
      dispatch({ type: 'move-box', key: b.key, box: moveBox(b.box, dx, dy, natural) });
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      dispatch({ type: 'delete-box', key: b.key });
      setSelected(null);
    } else if (e.key === ' ' || e.key === 'Enter') {
      dispatch({ type: 'set-relevance', key: b.key, relevant: !b.relevant });
    } else {
      return;
    }
    e.preventDefault();
    e.stopPropagation();
  };

  const preview = drag?.kind === 'draw' ? spanBox(drag.x0, drag.y0, drag.x1, drag.y1) : null;

  return (
    <Modal title={`Result ${item.rank} of ${items.length}${info ? ` · ${info.filename}` : ''}`} onClose={onClose} className="h-[94dvh] w-[min(90rem,98vw)] max-w-none open:flex open:flex-col">
      {/* A fixed-size dialog whose side panel scrolls: adding a box never moves the image. */}
      <div className="flex min-h-0 flex-1 flex-col lg:flex-row" onKeyDown={onViewerKey} data-testid="viewer">
        <div className="flex min-h-0 flex-1 flex-col">
          <ViewerToolbar
            onPrevious={previous && (() => go(previous))}
            onNext={next && (() => go(next))}
            zoom={zoom}
            zoomSteps={zoomSteps}
            onZoom={zoomBy}
            onFit={() => setZoom(1)}
            onMoreLikeThis={() => onMoreLikeThis(item.id)}
          />
          <div ref={viewport} className="min-h-48 flex-1 overflow-auto p-3">
            <div className="relative mx-auto select-none" style={{ width: fit ? fit * zoom : undefined, aspectRatio: `${item.width} / ${item.height}` }} data-testid="viewer-frame">
              <img
                key={item.id}
                src={urls.full(item.id)}
                alt={`Result ${item.rank}`}
                draggable={false}
                onLoad={() => setLoaded(true)}
                onError={() => setLoadError(true)}
                className="block h-full w-full"
              />
              {!loaded && !loadError && (
                <div className="absolute inset-0 grid place-items-center">
                  <Spinner label="Loading image…" />
                </div>
              )}
              {loadError && (
                <p role="alert" className="absolute inset-x-0 top-2 mx-2 rounded bg-red-50 p-2 text-sm text-red-900">
                  The image could not be loaded.
                </p>
              )}
              <MatchedRegions item={item} showLabels />
              <div
                ref={overlay}
                data-testid="box-canvas"
                className="absolute inset-0 cursor-crosshair touch-none"
                onPointerDown={onPointerDown}
                onPointerMove={onPointerMove}
                onPointerUp={onPointerUp}
                onPointerCancel={() => setDrag(null)}
              >
                {boxes.map((b, i) => (
                  <div
                    key={b.key}
                    ref={(el) => {
                      if (el) boxRefs.current.set(b.key, el);
                      else boxRefs.current.delete(b.key);
                    }}
                    data-box-key={b.key}
                    data-testid="box"
                    tabIndex={0}
                    role="button"
                    aria-label={`Box ${i + 1}, ${b.relevant ? 'relevant' : 'irrelevant'}${b.caption ? `: ${b.caption}` : ''}. Arrow keys move it, Delete removes it, Space toggles relevant.`}
                    onKeyDown={(e) => onBoxKey(e, b)}
                    onFocus={() => setSelected(b.key)}
                    className={`absolute cursor-move border-2 ${b.relevant ? 'border-emerald-400 bg-emerald-400/15' : 'border-rose-500 bg-rose-500/15'} ${selected === b.key ? 'outline-2 outline-offset-1 outline-amber-400' : ''}`}
                    style={toPercent(b.box, natural)}
                  >
                    <span className={`absolute left-0 top-0 rounded-br px-1 text-xs font-semibold text-white ${b.relevant ? 'bg-emerald-800' : 'bg-rose-800'}`}>{i + 1}</span>
                  </div>
                ))}
                {preview && (
                  <div className="pointer-events-none absolute border-2 border-dashed border-amber-400" style={{ left: preview.x, top: preview.y, width: preview.w, height: preview.h }} />
                )}
              </div>
            </div>
          </div>
        </div>
        <aside className="max-h-[45%] w-full shrink-0 space-y-3 overflow-y-auto border-t border-slate-200 p-3 lg:max-h-none lg:w-96 lg:border-l lg:border-t-0" aria-label="Marks, boxes and details">
          <div className="flex gap-2">
            <button
              type="button"
              aria-pressed={mark === 'relevant'}
              onClick={() => dispatch({ type: 'mark', imageId: item.id, mark: mark === 'relevant' ? undefined : 'relevant' })}
              className={`min-h-11 flex-1 rounded px-2 py-1 sm:min-h-8 ${mark === 'relevant' ? 'bg-emerald-700 text-white' : 'bg-slate-100 text-slate-800'}`}
            >
              <span className="inline-flex items-center gap-1">
                <ThumbUp /> Relevant
              </span>
            </button>
            <button
              type="button"
              aria-pressed={mark === 'irrelevant'}
              onClick={() => dispatch({ type: 'mark', imageId: item.id, mark: mark === 'irrelevant' ? undefined : 'irrelevant' })}
              className={`min-h-11 flex-1 rounded px-2 py-1 sm:min-h-8 ${mark === 'irrelevant' ? 'bg-rose-700 text-white' : 'bg-slate-100 text-slate-800'}`}
            >
              <span className="inline-flex items-center gap-1">
                <ThumbDown /> Irrelevant
              </span>
            </button>
          </div>
          {matches.length > 0 && (
            <section aria-label="Matched here" className="rounded border border-amber-300 bg-amber-50 p-2 text-sm text-slate-800">
              <h3 className="font-medium">Matched here</h3>
              <ul className="list-inside list-disc">
                {matches.map((m, i) => (
                  <li key={i}>{matchLabel(m)}</li>
                ))}
              </ul>
            </section>
          )}
          <p className="text-sm text-slate-700">
            Drag on the image to box a part. Each box is captioned; edit the caption if it is wrong. Arrow keys move the selected box (Shift: faster), Delete removes it. Elsewhere, ← and → show the previous and next result, + and − zoom.
          </p>
          <button
            type="button"
            className="min-h-11 rounded bg-slate-100 px-2 py-1 text-sm text-slate-800 hover:bg-slate-200 sm:min-h-8"
            onClick={() => addBox(clampBox({ x: Math.round(item.width / 4), y: Math.round(item.height / 4), w: Math.round(item.width / 2), h: Math.round(item.height / 2) }, natural))}
          >
            + Add a box in the middle
          </button>
          <BoxList boxes={boxes} selected={selected} dispatch={dispatch} />
          <ImageDetails id={item.id} info={info} />
          <button type="button" onClick={onClose} className="min-h-11 w-full rounded bg-indigo-700 px-3 py-1.5 font-medium text-white hover:bg-indigo-800" data-testid="box-dialog-done">
            Done
          </button>
        </aside>
      </div>
    </Modal>
  );
}
