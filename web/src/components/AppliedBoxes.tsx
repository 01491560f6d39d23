// The boxes of earlier turns that every refine applies again (refine-query's activeRegions), on results
// or on the session's generated pictures, each with a crop of what it boxed. Removing one takes effect
// at the next refine (sent as removeRegions) and can be undone until then.
import { useState } from 'react';
import { cropStyle, type Size } from '../geometry.ts';
import { useImageUrls } from '../image-urls.ts';
import type { FeedbackAction } from '../state/feedback.ts';
import type { ActiveRegion } from '../types.ts';
import { pictureUrl } from './GeneratedPicture.tsx';

interface Props {
  regions: ActiveRegion[];
  removed: string[];
  /** Sizes of images shown in the thread, to crop a box out of its thumbnail. */
  sizeOf: (imageId: number) => { width: number; height: number } | undefined;
  /** The session the generated pictures belong to. */
  sessionId: string | undefined;
  dispatch: (action: FeedbackAction) => void;
}

const side = 40;

function Crop({ src, box, natural, onSize }: { src: string | undefined; box: ActiveRegion['box']; natural: Size | undefined; onSize?: (size: Size) => void }) {
  if (!box || !natural) {
    return (
      <img
        src={src}
        alt=""
        className="h-10 w-10 shrink-0 rounded-sm object-cover"
        onLoad={onSize && ((e) => onSize({ width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight }))}
      />
    );
  }
  return (
    <span className="relative block h-10 w-10 shrink-0 overflow-hidden rounded-sm bg-slate-100">
      <img src={src} alt="" className="absolute max-w-none" style={cropStyle(box, natural, side)} />
    </span>
  );
}

function ImageCrop({ region, natural }: { region: Extract<ActiveRegion, { imageId: number }>; natural: Size | undefined }) {
  const urls = useImageUrls();
  return <Crop src={urls.thumb(region.imageId, 256)} box={region.box} natural={natural} />;
}

/** The picture's size is known once it has loaded: until then it shows whole. */
function PictureCrop({ region, sessionId }: { region: Extract<ActiveRegion, { pictureId: string }>; sessionId: string | undefined }) {
  const [natural, setNatural] = useState<Size>();
  const src = sessionId ? pictureUrl(sessionId, region.pictureId) : undefined;
  return <Crop src={src} box={region.box} natural={natural} onSize={setNatural} />;
}

export function AppliedBoxes({ regions, removed, sizeOf, sessionId, dispatch }: Props) {
  if (regions.length === 0) return null;
  return (
    <section aria-label="Boxes applied at every refine" data-testid="applied-boxes" className="max-h-32 overflow-y-auto border-t border-slate-200 bg-white px-3 py-2">
      <p className="mb-1 text-xs text-slate-700">Boxes from earlier turns, applied again at every refine:</p>
      <ul className="flex flex-wrap gap-2">
        {regions.map((r) => {
          const gone = removed.includes(r.key);
          const label = r.caption || ('pictureId' in r ? `a region of picture ${r.pictureId}` : 'a region');
          return (
            <li
              key={r.key}
              data-testid="applied-box"
              data-region-key={r.key}
              data-picture-id={'pictureId' in r ? r.pictureId : undefined}
              data-removed={gone}
              className={`flex items-center gap-2 rounded border py-0.5 pl-0.5 pr-1 text-sm ${r.relevant ? 'border-emerald-700' : 'border-rose-700'} ${gone ? 'bg-slate-100' : 'bg-white'}`}
            >
              {'pictureId' in r ? <PictureCrop region={r} sessionId={sessionId} /> : <ImageCrop region={r} natural={sizeOf(r.imageId)} />}
              <span className={gone ? 'text-slate-700 line-through' : 'text-slate-900'}>
                {r.relevant ? '+' : '−'} {label}
              </span>
              {gone && <span className="text-xs text-slate-700">(removed from the next refine)</span>}
              <button
                type="button"
                data-testid={gone ? 'keep-applied-box' : 'remove-applied-box'}
                onClick={() => dispatch({ type: gone ? 'keep-region' : 'remove-region', key: r.key })}
                aria-label={gone ? `Keep applying the box “${label}”` : `Stop applying the box “${label}”`}
                className="min-h-11 min-w-11 rounded px-2 text-sm text-slate-800 hover:bg-slate-100 sm:min-h-8"
              >
                {gone ? 'Undo' : 'Remove'}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
