// "What the summarizer looked at": refine-query's per-image saliency (afs feedback) as a heat overlay on
// each feedback image, with a switch to hide it. Shared by the web app and the MCP Apps view.
// The map's grid covers the model's centre-cropped input square, so the thumbnail is shown centre-cropped
// to a square (object-cover) and the grid laid over all of it.
import { useEffect, useRef, useState } from 'react';
import { useImageUrls } from '../image-urls.ts';
import type { RefineQueryOutput } from '../types.ts';

type Saliency = NonNullable<RefineQueryOutput['saliency']>[number];

/** Most opaque a cell gets, so the image stays visible under the hottest patch. */
export const heatOpacity = 170;

/**
 * Colour of one cell: clear and yellow where the image's attention is lowest, opaque red where it is
 * highest. Stretched between the map's own lowest and highest cells: attention spread almost evenly
 * would otherwise paint the whole image one red.
 */
export function heatColour(value: number, low: number, high: number): [number, number, number, number] {
  const t = high > low ? Math.min(Math.max((value - low) / (high - low), 0), 1) : 1;
  return [255, Math.round(220 * (1 - t)), 0, Math.round(heatOpacity * t)];
}

/** One pixel per patch; the browser's smooth scaling blends the cells into a heat map. */
function Heat({ map }: { map: Saliency }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    const pixels = context.createImageData(map.side, map.side);
    const low = Math.min(...map.values);
    const high = Math.max(...map.values);
    map.values.forEach((v, i) => pixels.data.set(heatColour(v, low, high), i * 4));
    context.putImageData(pixels, 0, 0);
  }, [map]);
  return <canvas ref={canvas} width={map.side} height={map.side} data-testid="saliency-heat" className="pointer-events-none absolute inset-0 h-full w-full" />;
}

export function SaliencyMaps({ saliency }: { saliency: Saliency[] }) {
  const [shown, setShown] = useState(true);
  const urls = useImageUrls();
  if (saliency.length === 0) return null;
  return (
    <section data-testid="saliency-maps" aria-label="What the summarizer looked at" className="rounded-lg border border-amber-200 bg-amber-50 p-3 text-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <p className="font-medium">What the summarizer looked at</p>
        <button
          type="button"
          data-testid="saliency-toggle"
          aria-pressed={shown}
          onClick={() => setShown(!shown)}
          className="min-h-11 rounded border border-amber-300 bg-white px-2 py-1 text-xs text-slate-800 hover:bg-amber-100 sm:min-h-0"
        >
          {shown ? 'Hide attention' : 'Show attention'}
        </button>
      </div>
      <ul className="mt-2 flex flex-wrap gap-2">
        {saliency.map((map) => (
          <li key={map.id} data-testid="saliency-item" data-image-id={map.id} className="w-24 text-center text-xs text-slate-700">
            <span className="relative block aspect-square w-full overflow-hidden rounded bg-slate-100">
              <img src={urls.thumb(map.id) ?? urls.full(map.id)} alt={`Feedback image ${map.id}`} className="absolute inset-0 h-full w-full object-cover" />
              {shown && <Heat map={map} />}
            </span>
            <span className="tabular-nums">{Math.round(map.share * 100)}% of the attention</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
