// What the user did in the view, in words for the model: which results they marked, what they boxed
// (with the captions as they left them), their comment, and what the refinement changed.
import type { RefineQueryOutput } from '../../tools/contract/schemas.ts';
import type { PendingFeedback } from '../src/state/feedback.ts';

export function marksSummary(sessionId: string, feedback: PendingFeedback, comment: string, outcome: RefineQueryOutput): string {
  const ids = (mark: string) =>
    Object.entries(feedback.marks)
      .filter(([, m]) => m === mark)
      .map(([id]) => `#${id}`);
  const lines = [`In the visualref results view the user refined search session ${sessionId} (now turn ${outcome.turn}).`];
  const relevant = ids('relevant');
  const irrelevant = ids('irrelevant');
  if (relevant.length > 0) lines.push(`Marked relevant: images ${relevant.join(', ')}.`);
  if (irrelevant.length > 0) lines.push(`Marked irrelevant: images ${irrelevant.join(', ')}.`);
  for (const b of feedback.boxes) {
    const caption = b.caption.trim() ? ` "${b.caption.trim()}"` : '';
    lines.push(`Boxed ${b.relevant ? 'a wanted' : 'an unwanted'} part of image #${b.imageId} at x=${b.box.x}, y=${b.box.y}, ${b.box.w}×${b.box.h} px${caption}.`);
  }
  if (comment.trim()) lines.push(`Comment: "${comment.trim()}".`);
  lines.push(`Result: ${outcome.explanation.summary} Top results now: ${outcome.results.slice(0, 5).map((r) => `#${r.id}`).join(', ')}.`);
  return lines.join('\n');
}
