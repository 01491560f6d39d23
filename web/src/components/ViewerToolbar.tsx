// The large view's toolbar: previous / next result, zoom out / fit / zoom in, more like this.
const tool = 'inline-flex min-h-11 min-w-11 items-center justify-center rounded border border-slate-300 px-2 text-sm text-slate-800 hover:bg-slate-50 disabled:opacity-50 sm:min-h-8 sm:min-w-8';

interface Props {
  /** Absent at the first / last result. */
  onPrevious?: () => void;
  onNext?: () => void;
  zoom: number;
  zoomSteps: readonly number[];
  onZoom: (step: 1 | -1) => void;
  onFit: () => void;
  onMoreLikeThis: () => void;
}

export function ViewerToolbar({ onPrevious, onNext, zoom, zoomSteps, onZoom, onFit, onMoreLikeThis }: Props) {
  return (
    <div className="flex flex-wrap items-center gap-1 border-b border-slate-200 px-3 py-1.5" role="toolbar" aria-label="View">
      <button type="button" className={tool} onClick={onPrevious} disabled={!onPrevious} data-testid="viewer-previous" aria-label="Previous result">
        ‹<span className="ml-1 hidden sm:inline">Previous</span>
      </button>
      <button type="button" className={tool} onClick={onNext} disabled={!onNext} data-testid="viewer-next" aria-label="Next result">
        <span className="mr-1 hidden sm:inline">Next</span>›
      </button>
      <span className="mx-1 h-6 w-px bg-slate-200" aria-hidden="true" />
      <button type="button" className={tool} onClick={() => onZoom(-1)} disabled={zoom === zoomSteps[0]} aria-label="Zoom out">
        −
      </button>
      <button type="button" className={tool} onClick={onFit} data-testid="viewer-fit" aria-label="Fit to the window">
        {zoom === 1 ? 'Fit' : `${Math.round(zoom * 100)}%`}
      </button>
      <button type="button" className={tool} onClick={() => onZoom(1)} disabled={zoom === zoomSteps.at(-1)} data-testid="viewer-zoom-in" aria-label="Zoom in">
        +
      </button>
      <button type="button" className={`${tool} ml-auto`} onClick={onMoreLikeThis} data-testid="viewer-more-like-this">
        More like this
      </button>
    </div>
  );
}
