// The feedback gathered for the next turn: whole-image marks, drawn boxes with their captions, and
// regions of earlier turns the user took back (refine-query's activeRegions keys, sent as removeRegions).
import { useReducer } from 'react';
import type { BoxFeedback, DraftBox, Mark } from '../types.ts';
import type { Box } from '../../../engine/types.ts';

export interface PendingFeedback {
  marks: Record<number, Mark>;
  boxes: DraftBox[];
  /** Keys of earlier turns' regions to stop applying from the next refine on. */
  removed: string[];
}

export type FeedbackAction =
  | { type: 'mark'; imageId: number; mark: Mark | undefined }
  | { type: 'add-box'; box: DraftBox }
  | { type: 'move-box'; key: string; box: Box }
  | { type: 'set-relevance'; key: string; relevant: boolean }
  | { type: 'edit-caption'; key: string; caption: string }
  | { type: 'caption-pending'; key: string }
  | { type: 'caption-done'; key: string; caption: string }
  | { type: 'caption-failed'; key: string; error: string }
  | { type: 'delete-box'; key: string }
  | { type: 'remove-region'; key: string }
  | { type: 'keep-region'; key: string }
  | { type: 'clear' }
  | { type: 'restore'; state: PendingFeedback };

export const emptyFeedback: PendingFeedback = { marks: {}, boxes: [], removed: [] };

function updateBox(state: PendingFeedback, key: string, change: (b: DraftBox) => DraftBox): PendingFeedback {
  return { ...state, boxes: state.boxes.map((b) => (b.key === key ? change(b) : b)) };
}

export function feedbackReducer(state: PendingFeedback, action: FeedbackAction): PendingFeedback {
  switch (action.type) {
    case 'mark': {
      const marks = { ...state.marks };
      if (action.mark) marks[action.imageId] = action.mark;
      else delete marks[action.imageId];
      return { ...state, marks };
    }
    case 'add-box':
      return { ...state, boxes: [...state.boxes, action.box] };
    case 'move-box':
      return updateBox(state, action.key, (b) => ({ ...b, box: action.box }));
    case 'set-relevance':
      return updateBox(state, action.key, (b) => ({ ...b, relevant: action.relevant }));
    case 'edit-caption':
      return updateBox(state, action.key, (b) => ({ ...b, caption: action.caption, edited: true }));
    case 'caption-pending':
      return updateBox(state, action.key, (b) => ({ ...b, captionState: 'pending', captionError: undefined }));
    case 'caption-done':
      return updateBox(state, action.key, (b) => (b.edited ? { ...b, captionState: 'done' } : { ...b, caption: action.caption, captionState: 'done' }));
    case 'caption-failed':
      return updateBox(state, action.key, (b) => ({ ...b, captionState: 'error', captionError: action.error }));
    case 'delete-box':
      return { ...state, boxes: state.boxes.filter((b) => b.key !== action.key) };
    case 'remove-region':
      return state.removed.includes(action.key) ? state : { ...state, removed: [...state.removed, action.key] };
    case 'keep-region':
      return { ...state, removed: state.removed.filter((k) => k !== action.key) };
    case 'clear':
      return emptyFeedback;
    case 'restore':
      return action.state;
  }
}

export function useFeedback() {
  return useReducer(feedbackReducer, emptyFeedback);
}

/** The marks and boxes as a refine request (boxes in image pixels, captions as edited). */
export function toRefineRequest(state: PendingFeedback): { relevant: number[]; irrelevant: number[]; regions: BoxFeedback[]; removeRegions?: string[] } {
  const ids = (mark: Mark) =>
    Object.entries(state.marks)
      .filter(([, m]) => m === mark)
      .map(([id]) => Number(id));
  return {
    relevant: ids('relevant'),
    irrelevant: ids('irrelevant'),
    regions: state.boxes.map((b) => ({
      imageId: b.imageId,
      box: b.box,
      units: 'px' as const,
      relevant: b.relevant,
      ...(b.caption.trim() ? { caption: b.caption.trim() } : {}),
    })),
    ...(state.removed.length ? { removeRegions: state.removed } : {}),
  };
}

export function feedbackCount(state: PendingFeedback): { relevant: number; irrelevant: number; boxes: number; removed: number } {
  const marks = Object.values(state.marks);
  return {
    relevant: marks.filter((m) => m === 'relevant').length,
    irrelevant: marks.filter((m) => m === 'irrelevant').length,
    boxes: state.boxes.length,
    removed: state.removed.length,
  };
}
