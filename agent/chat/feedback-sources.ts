// The feedback sources a user can switch on and off in the settings panel (shared with the browser
// bundle, so kept free of dependencies).
export const feedbackSources = ['judged', 'regions', 'comment', 'explicit', 'prf', 'grf'] as const;
export type FeedbackSource = (typeof feedbackSources)[number];

export const sourceLabels: Record<FeedbackSource, string> = {
  judged: 'Marked images',
  regions: 'Boxed regions',
  comment: 'Comment',
  explicit: 'New description',
  prf: 'Pseudo-relevance (top results)',
  grf: 'Captions of top results',
};
