// The large view of one result: drag on the image to draw boxes, mark each relevant or not, move
import { ThumbDown, ThumbUp, Trash } from './Icons.tsx';
// them (mouse or arrow keys), delete them (Delete), and edit their captions before refining.
import { useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import { useImageUrls } from '../image-urls.ts';
import { clampBox, displayToImage, moveBox, spanBox, toPercent, type Size } from '../geometry.ts';
import type { FeedbackAction, PendingFeedback } from '../state/feedback.ts';
import type { Box, DraftBox, Mark, ResultItem } from '../types.ts';
import { Modal } from './Modal.tsx';
import { Spinner } from './Spinner.tsx';

interface Props {
  item: ResultItem;
  feedback: PendingFeedback;
  dispatch: (action: FeedbackAction) => void;
  onClose: () => void;
}

type Drag =
  | { kind: 'draw'; x0: number; y0: number; x1: number; y1: number }
  | { kind: 'move'; key: string; px: number; py: number; start: Box; moved: boolean };

/** Boxes smaller than this on screen are treated as a click, not a box. */
const minDrawn = 6;

let boxCounter = 0;
const newKey = () => `box-${Date.now().toString(36)}-${(boxCounter++).toString(36)}`;

export function BoxDialog({ item, feedback, dispatch, onClose }: Props) {
  const natural: Size = { width: item.width, height: item.height };
  const urls = useImageUrls();
  const overlay = useRef<HTMLDivElement>(null);
  const boxRefs = useRef(new Map<string, HTMLDivElement>());
  const [drag, setDrag] = useState<Drag | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState(false);
  const boxes = feedback.boxes.filter((b) => b.imageId === item.id);
  const mark: Mark | undefined = feedback.marks[item.id];

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
    <Modal title={`Image #${item.id} · rank ${item.rank}`} onClose={onClose} className="w-[min(80rem,96vw)]">
      <div className="flex max-h-[85vh] flex-col gap-4 overflow-auto p-4 lg:flex-row">
        <div className="flex flex-1 items-start justify-center">
          <div className="relative inline-block select-none">
            <img
              src={urls.full(item.id)}
              alt={`Image ${item.id}`}
              draggable={false}
              onLoad={() => setLoaded(true)}
              onError={() => setLoadError(true)}
              className="block max-h-[75vh] max-w-full"
              style={{ aspectRatio: `${item.width} / ${item.height}` }}
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
                  <span className={`absolute -top-5 left-0 rounded px-1 text-xs font-semibold text-white ${b.relevant ? 'bg-emerald-600' : 'bg-rose-600'}`}>{i + 1}</span>
                </div>
              ))}
              {preview && (
                <div className="pointer-events-none absolute border-2 border-dashed border-amber-400" style={{ left: preview.x, top: preview.y, width: preview.w, height: preview.h }} />
              )}
            </div>
          </div>
        </div>
        <aside className="w-full shrink-0 space-y-3 lg:w-80" aria-label="Marks and boxes">
          <div className="flex gap-2">
            <button
              type="button"
              aria-pressed={mark === 'relevant'}
              onClick={() => dispatch({ type: 'mark', imageId: item.id, mark: mark === 'relevant' ? undefined : 'relevant' })}
              className={`flex-1 rounded px-2 py-1 ${mark === 'relevant' ? 'bg-emerald-600 text-white' : 'bg-slate-100'}`}
            >
              <span className="inline-flex items-center gap-1"><ThumbUp /> Relevant</span>
            </button>
            <button
              type="button"
              aria-pressed={mark === 'irrelevant'}
              onClick={() => dispatch({ type: 'mark', imageId: item.id, mark: mark === 'irrelevant' ? undefined : 'irrelevant' })}
              className={`flex-1 rounded px-2 py-1 ${mark === 'irrelevant' ? 'bg-rose-600 text-white' : 'bg-slate-100'}`}
            >
              <span className="inline-flex items-center gap-1"><ThumbDown /> Irrelevant</span>
            </button>
          </div>
          <p className="text-sm text-slate-600">
            Drag on the image to box a part. Each box is captioned; edit the caption if it is wrong. Arrow keys move the selected box (Shift: faster), Delete removes it.
          </p>
          <button
            type="button"
            className="rounded bg-slate-100 px-2 py-1 text-sm hover:bg-slate-200"
            onClick={() => addBox(clampBox({ x: Math.round(item.width / 4), y: Math.round(item.height / 4), w: Math.round(item.width / 2), h: Math.round(item.height / 2) }, natural))}
          >
            + Add a box in the middle
          </button>
          <ol className="space-y-2">
            {boxes.map((b, i) => (
              <li key={b.key} data-testid="box-item" className={`space-y-1 rounded border p-2 ${selected === b.key ? 'border-amber-400' : 'border-slate-200'}`}>
                <div className="flex items-center gap-1 text-sm">
                  <span className="font-semibold">{i + 1}</span>
                  <button
                    type="button"
                    aria-pressed={b.relevant}
                    onClick={() => dispatch({ type: 'set-relevance', key: b.key, relevant: true })}
                    className={`rounded px-1.5 ${b.relevant ? 'bg-emerald-600 text-white' : 'bg-slate-100'}`}
                  >
                    relevant
                  </button>
                  <button
                    type="button"
                    data-testid="box-irrelevant"
                    aria-pressed={!b.relevant}
                    onClick={() => dispatch({ type: 'set-relevance', key: b.key, relevant: false })}
                    className={`rounded px-1.5 ${!b.relevant ? 'bg-rose-600 text-white' : 'bg-slate-100'}`}
                  >
                    irrelevant
                  </button>
                  <span className="ml-auto tabular-nums text-xs text-slate-500" title="box in pixels of the image">
                    {b.box.x},{b.box.y} {b.box.w}×{b.box.h}
                  </span>
                  <button type="button" onClick={() => dispatch({ type: 'delete-box', key: b.key })} className="rounded px-1.5 text-slate-600 hover:bg-slate-100" aria-label={`Delete box ${i + 1}`}>
                    <Trash />
                  </button>
                </div>
                <label className="block text-xs text-slate-600">
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
          <button type="button" onClick={onClose} className="w-full rounded bg-indigo-600 px-3 py-1.5 font-medium text-white hover:bg-indigo-700" data-testid="box-dialog-done">
            Done
          </button>
        </aside>
      </div>
    </Modal>
  );
}
