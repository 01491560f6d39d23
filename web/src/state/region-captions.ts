// Captions every drawn box through /api/caption-region when it is drawn or moved, unless the user
// has typed a caption of their own. Lives above the dialog so a caption still lands after it closes.
import { useEffect, useRef } from 'react';
import { api } from '../api.ts';
import type { FeedbackAction, PendingFeedback } from './feedback.ts';

/** Asks caption-region for a box: the web app's /api route, or the MCP Apps view's host call. */
export type RegionCaptioner = typeof api.captionRegion;

/** Wait this long after the last move (e.g. arrow-key steps) before captioning again. */
const settleMs = 300;

export function useRegionCaptions(feedback: PendingFeedback, dispatch: (action: FeedbackAction) => void, caption: RegionCaptioner = api.captionRegion): void {
  const asked = useRef(new Map<string, string>());
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  useEffect(() => {
    const live = new Set(feedback.boxes.map((b) => b.key));
    for (const [key, timer] of timers.current) {
      if (!live.has(key)) {
        clearTimeout(timer);
        timers.current.delete(key);
        asked.current.delete(key);
      }
    }
    for (const b of feedback.boxes) {
      const signature = `${b.box.x},${b.box.y},${b.box.w},${b.box.h}`;
      const previous = asked.current.get(b.key);
      if (b.edited || previous === signature) continue;
      asked.current.set(b.key, signature);
      clearTimeout(timers.current.get(b.key));
      if (previous !== undefined) dispatch({ type: 'caption-pending', key: b.key });
      const ask = () => {
        timers.current.delete(b.key);
        caption({ imageId: b.imageId, box: b.box, units: 'px', relevant: b.relevant })
          .then((out) => {
            if (asked.current.get(b.key) === signature) dispatch({ type: 'caption-done', key: b.key, caption: out.caption });
          })
          .catch((err: unknown) => {
            if (asked.current.get(b.key) === signature) dispatch({ type: 'caption-failed', key: b.key, error: err instanceof Error ? err.message : String(err) });
          });
      };
      // A new box is captioned at once; a moved one once it stops moving.
      timers.current.set(b.key, setTimeout(ask, previous === undefined ? 0 : settleMs));
    }
  }, [feedback.boxes, dispatch, caption]);
}
