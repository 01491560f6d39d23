// The feedback sources a user can switch on and off in the settings panel. The browser bundle
// imports this file, so it cannot take the list from agent/feedback/config.ts (which reads files);
// test/web-turn-inputs.test.ts checks that the two lists agree.
export const feedbackSources = ['judged', 'regions', 'comment', 'explicit', 'prf', 'grf', 'afs'] as const;
export type FeedbackSource = (typeof feedbackSources)[number];

export const sourceLabels: Record<FeedbackSource, string> = {
  judged: 'Marked images',
  regions: 'Boxed regions',
  comment: 'Comment',
  explicit: 'New description',
  prf: 'Pseudo-relevance (top results)',
  grf: 'Captions of top results',
  afs: 'Attentive summarizer (top or marked results)',
};
