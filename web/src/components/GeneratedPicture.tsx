// The generated picture of a refine turn (issue 20): "what I think you are looking for", with what the
// generator did not understand or drew by default. On the latest one the user can drag boxes and mark
// each relevant or not; they go with the next refine (state/picture-boxes.ts).
import { useRef, useState, type PointerEvent } from 'react';
import type { RefineQueryOutput } from '../types.ts';
import { pictureBoxes, usePictureBoxes } from '../state/picture-boxes.ts';

type Visualization = NonNullable<RefineQueryOutput['visualization']>;

/** Drags shorter than this (in picture pixels) are clicks, not boxes. */
const minSide = 6;

export function pictureUrl(sessionId: string, pictureId: string): string {
  return `/api/sessions/${encodeURIComponent(sessionId)}/pictures/${encodeURIComponent(pictureId)}`;
}

export function GeneratedPicture({ visualization, latest }: { visualization: Visualization; latest: boolean }) {
  const { picture, sessionId } = visualization;
  const area = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<{ x0: number; y0: number; x1: number; y1: number } | null>(null);
  const boxes = usePictureBoxes().filter((b) => b.pictureId === picture?.id);
  if (!picture) {
    return (
      <p role="note" className="rounded bg-amber-50 px-2 py-1 text-sm text-amber-900" data-testid="picture-notice">
        No picture this turn: {visualization.reason}
      </p>
    );
  }
  const scale = () => {
    const rect = area.current!.getBoundingClientRect();
    return { rect, sx: picture.width / rect.width, sy: picture.height / rect.height };
  };
  const at = (e: PointerEvent) => {
    const { rect, sx, sy } = scale();
    return { x: Math.max(0, Math.min(picture.width, (e.clientX - rect.left) * sx)), y: Math.max(0, Math.min(picture.height, (e.clientY - rect.top) * sy)) };
  };
  const onDown = (e: PointerEvent) => {
    if (!latest) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const p = at(e);
    setDrag({ x0: p.x, y0: p.y, x1: p.x, y1: p.y });
  };
  const onMove = (e: PointerEvent) => {
    if (!drag) return;
    const p = at(e);
    setDrag({ ...drag, x1: p.x, y1: p.y });
  };
  const onUp = () => {
    if (!drag) return;
    const box = { x: Math.round(Math.min(drag.x0, drag.x1)), y: Math.round(Math.min(drag.y0, drag.y1)), w: Math.round(Math.abs(drag.x1 - drag.x0)), h: Math.round(Math.abs(drag.y1 - drag.y0)) };
    setDrag(null);
    if (box.w >= minSide && box.h >= minSide) pictureBoxes.add({ key: `${picture.id}-${Date.now()}`, pictureId: picture.id, box, relevant: true });
  };
  const percent = (box: { x: number; y: number; w: number; h: number }) => ({
    left: `${(100 * box.x) / picture.width}%`,
    top: `${(100 * box.y) / picture.height}%`,
    width: `${(100 * box.w) / picture.width}%`,
    height: `${(100 * box.h) / picture.height}%`,
  });
  const dragBox = drag && { x: Math.min(drag.x0, drag.x1), y: Math.min(drag.y0, drag.y1), w: Math.abs(drag.x1 - drag.x0), h: Math.abs(drag.y1 - drag.y0) };
  return (
    <figure className="space-y-1" data-testid="generated-picture" data-picture-id={picture.id}>
      <figcaption className="text-sm font-medium text-slate-700">What I think you are looking for</figcaption>
      <div
        ref={area}
        className={`relative inline-block select-none ${latest ? 'cursor-crosshair' : ''}`}
        onPointerDown={onDown}
        onPointerMove={onMove}
        onPointerUp={onUp}
        data-testid="picture-canvas"
      >
        <img src={pictureUrl(sessionId, picture.id)} alt={`Generated from: ${visualization.prompt}`} width={picture.width} height={picture.height} draggable={false} className="block rounded" />
        {boxes.map((b) => (
          <div key={b.key} data-testid="picture-box" data-relevant={b.relevant} className={`pointer-events-none absolute border-2 ${b.relevant ? 'border-emerald-500' : 'border-rose-500'}`} style={percent(b.box)} />
        ))}
        {dragBox && <div className="pointer-events-none absolute border-2 border-dashed border-indigo-500" style={percent(dragBox)} />}
      </div>
      <p className="text-xs text-slate-500">
        {picture.generator} · {picture.latencyMs} ms · from “{visualization.prompt}”
      </p>
      {picture.notes.length > 0 && <p className="text-xs text-slate-500">{picture.notes.join('; ')}</p>}
      {latest && boxes.length === 0 && <p className="text-xs text-slate-500">Drag on the picture to box a part that is right or wrong.</p>}
      {boxes.length > 0 && (
        <ul className="flex flex-wrap gap-1 text-xs">
          {boxes.map((b) => (
            <li key={b.key} className="flex items-center gap-1 rounded bg-slate-100 px-1.5 py-0.5">
              <button type="button" onClick={() => pictureBoxes.toggle(b.key)} data-testid="picture-box-toggle">
                {b.relevant ? 'relevant' : 'irrelevant'}
              </button>
              <button type="button" aria-label="Remove the box" onClick={() => pictureBoxes.remove(b.key)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </figure>
  );
}
