// Infinite scroll for a grid: the next page is revealed when the user scrolls (wheel, touch, scroll
// keys) while the end of the grid is in view. Only the user's own scrolling counts, so the thread's
// automatic scroll to a new answer does not page through every result.
import { useEffect, type RefObject } from 'react';

const scrollKeys = new Set(['PageDown', 'End', 'ArrowDown', ' ']);
/** How long after a gesture a grid end coming into view still counts as reached by the user. */
const gestureWindowMs = 1500;

let lastGesture = -Infinity;
const gestureListeners = new Set<() => void>();

function onGesture(e: Event): void {
  // Keys typed into a field (a space in the comment) do not scroll the page.
  if (e instanceof KeyboardEvent && (!scrollKeys.has(e.key) || (e.target instanceof HTMLElement && e.target.closest('input, textarea, select, [contenteditable]')))) return;
  lastGesture = performance.now();
  for (const listener of gestureListeners) listener();
}

if (typeof window !== 'undefined') {
  for (const type of ['wheel', 'touchmove', 'keydown']) window.addEventListener(type, onGesture, { passive: true, capture: true });
}

/** Calls `reveal` when the user scrolls to `end` (an element after the grid); `key` re-arms it after each page. */
export function useScrollReveal(end: RefObject<HTMLElement | null>, reveal: () => void, key: unknown): void {
  useEffect(() => {
    const target = end.current;
    if (!target) return;
    let visible = false;
    let done = false;
    const fire = () => {
      if (done || !visible || performance.now() - lastGesture > gestureWindowMs) return;
      done = true;
      reveal();
    };
    const observer = new IntersectionObserver(([entry]) => {
      visible = entry.isIntersecting;
      fire();
    });
    observer.observe(target);
    gestureListeners.add(fire);
    return () => {
      observer.disconnect();
      gestureListeners.delete(fire);
    };
  }, [end, reveal, key]);
}
