// What the user has prepared but not sent survives a reload: the marks and boxes of a session, and
// the regions taken back, and the half-written text of the composer, in localStorage.
import type { PendingFeedback } from './feedback.ts';

const feedbackKey = 'visualref.feedback';
const draftKey = 'visualref.draft';

export function saveFeedback(sessionId: string, feedback: PendingFeedback): void {
  try {
    localStorage.setItem(feedbackKey, JSON.stringify({ sessionId, marks: feedback.marks, boxes: feedback.boxes, removed: feedback.removed }));
  } catch {
    // storage full or disabled: the draft is only lost on a reload
  }
}

/** The marks, boxes and removals saved for this session, if the last ones saved were for it. */
export function savedFeedback(sessionId: string): PendingFeedback | undefined {
  try {
    const saved = JSON.parse(localStorage.getItem(feedbackKey) ?? 'null') as ({ sessionId: string } & PendingFeedback) | null;
    if (!saved || saved.sessionId !== sessionId || typeof saved.marks !== 'object' || !Array.isArray(saved.boxes)) return undefined;
    // Drafts saved before removals existed have none.
    const removed = Array.isArray(saved.removed) ? saved.removed.filter((k): k is string => typeof k === 'string') : [];
    return { marks: saved.marks, boxes: saved.boxes, removed };
  } catch {
    return undefined;
  }
}

export function savedDraft(): string {
  return localStorage.getItem(draftKey) ?? '';
}

export function saveDraft(text: string): void {
  if (text) localStorage.setItem(draftKey, text);
  else localStorage.removeItem(draftKey);
}
