// Boxes the user drew on the generated picture of the thread, waiting for the next refine turn
// (sent as pictureRegions). Kept outside the results' feedback state: a picture is not a library image.
import { useSyncExternalStore } from 'react';
import type { Box } from '../../../engine/types.ts';
import type { PictureRegion } from '../../../tools/contract/schemas.ts';

export interface PictureBox {
  key: string;
  pictureId: string;
  /** In pixels of the picture. */
  box: Box;
  relevant: boolean;
}

let boxes: PictureBox[] = [];
const listeners = new Set<() => void>();

function set(next: PictureBox[]): void {
  boxes = next;
  for (const listener of listeners) listener();
}

export const pictureBoxes = {
  add: (box: PictureBox) => set([...boxes, box]),
  toggle: (key: string) => set(boxes.map((b) => (b.key === key ? { ...b, relevant: !b.relevant } : b))),
  remove: (key: string) => set(boxes.filter((b) => b.key !== key)),
  clear: () => set([]),
  /** The boxes as refine-query takes them; the list is emptied (they belong to the turn being sent). */
  take(): PictureRegion[] {
    const taken = boxes.map(({ pictureId, box, relevant }) => ({ pictureId, box, units: 'px' as const, relevant }));
    set([]);
    return taken;
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  snapshot: () => boxes,
};

export function usePictureBoxes(): PictureBox[] {
  return useSyncExternalStore(pictureBoxes.subscribe, pictureBoxes.snapshot);
}
