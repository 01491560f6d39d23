// The generation prompt of a session (issue 20): what the user has said so far, in order — the first
// query, then per turn the explicit text, the comment, and the captions of boxed regions (relevant
// as they are, irrelevant as "no ...") — plus any words given with this call and the regions captioned
// but not yet applied. Image ids say nothing a generator can draw and are left out.
import type { PendingRegion, Session, TurnRecord } from './sessions/session-store.ts';

/** Prompts longer than this are cut at the start: the latest corrections matter most. */
export const maxPromptChars = 1000;

function regionPhrase(region: { caption?: string; relevant: boolean }): string | undefined {
  const caption = region.caption?.trim();
  if (!caption) return undefined;
  return region.relevant ? caption : `no ${caption}`;
}

/** The words of one turn's feedback, in the order the prompt uses them. */
export function turnWords(feedback: { text?: string; comment?: string; regions?: { caption?: string; relevant: boolean }[] }): string[] {
  const words: string[] = [];
  if (feedback.text) words.push(feedback.text);
  if (feedback.comment) words.push(feedback.comment);
  for (const region of feedback.regions ?? []) {
    const phrase = regionPhrase(region);
    if (phrase) words.push(phrase);
  }
  return words;
}

export function generationPrompt(session: Session, turns: TurnRecord[], pending: PendingRegion[], extra?: string): string {
  const parts: string[] = [];
  if (session.query.text) parts.push(session.query.text);
  for (const turn of turns) if (turn.feedback) parts.push(...turnWords(turn.feedback));
  parts.push(...turnWords({ regions: pending }));
  if (extra) parts.push(extra);
  const prompt = parts.map((p) => p.trim()).filter(Boolean).join(', ');
  return prompt.length > maxPromptChars ? prompt.slice(prompt.length - maxPromptChars) : prompt;
}
