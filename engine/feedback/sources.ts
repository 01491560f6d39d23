// The feedback sources, defined once: name, label (settings panel), name in the turn's summary, how
// each enters a refine turn, and the weight a caller may set. Everything else derives from this list: the config schema (engine/feedback/config.ts),
// composeFeedback's loop, refine-query's `weights` input, the chat settings and the settings panel.
// The browser bundle imports this file, so it imports nothing but zod.
//
// How a source enters a turn:
//   query   its positive / negative vectors are mixed into the query (compose.ts, weights per source
//           in configs/feedback.yaml compose.sources), made from its items as `composes` says:
//             judgement  positive and negative items, each side averaged (VisualReF);
//             items      positive items only, averaged (explicit feedback);
//             ranked     items in rank order, weighted by extended Rocchio's eq. 1 (PRF, GRF);
//             summary    the source gives its positive and negative vectors itself (AFS);
//   rerank  it re-scores the candidates region against region (engine/regions/rerank.ts); its weight
//           is λ of the region score, μ scaled with it (configs/feedback.yaml regionScore).
// `onRequest`: the source needs no feedback from the user, so refine-query runs it only when a caller
// gives it a weight; the settings panel starts it off and, once switched on, always sends its weight.
import { z } from 'zod';

export const feedbackSourceList = [
  { name: 'judged', label: 'Marked images', inSummary: 'marked images', enters: 'query', composes: 'judgement', hint: 'Weight of whole images marked relevant/irrelevant.' },
  { name: 'regions', label: 'Boxed regions', inSummary: 'marked regions', enters: 'rerank', hint: 'λ of region-against-region re-ranking of boxed regions (μ scales with it).' },
  { name: 'comment', label: 'Comment', inSummary: 'comment', enters: 'query', composes: 'judgement', hint: 'Weight of the free-text comment.' },
  { name: 'explicit', label: 'New description', inSummary: 'new description', enters: 'query', composes: 'items', hint: 'Weight of a new description of what is wanted.' },
  { name: 'prf', onRequest: true, label: 'Pseudo-relevance (top results)', inSummary: 'top results (pseudo-relevance)', enters: 'query', composes: 'ranked', hint: 'Weight of pseudo-relevance feedback from the top results.' },
  { name: 'grf', onRequest: true, label: 'Captions of top results', inSummary: 'captions of the top results', enters: 'query', composes: 'ranked', hint: 'Weight of stored captions of the top results (generative feedback).' },
  {
    name: 'afs',
    onRequest: true,
    label: 'Attentive summarizer (top or marked results)',
    inSummary: 'attentive summary of the feedback images',
    enters: 'query',
    composes: 'summary',
    hint: "Weight of the attentive feedback summarizer over the results marked relevant, or else the previous top results (needs the model's onnx/afs.onnx).",
  },
] as const;

export type FeedbackSource = (typeof feedbackSourceList)[number]['name'];
type QuerySourceEntry = Extract<(typeof feedbackSourceList)[number], { enters: 'query' }>;
export type QuerySource = QuerySourceEntry['name'];
/** The query sources whose items are made the given way. */
export type SourcesComposing<K extends QuerySourceEntry['composes']> = Extract<QuerySourceEntry, { composes: K }>['name'];

export const feedbackSources = feedbackSourceList.map((s) => s.name) as FeedbackSource[];
export const querySources = feedbackSourceList.filter((s) => s.enters === 'query').map((s) => s.name) as QuerySource[];
export const composesOf = Object.fromEntries(feedbackSourceList.flatMap((s) => (s.enters === 'query' ? [[s.name, s.composes]] : []))) as Record<
  QuerySource,
  QuerySourceEntry['composes']
>;
/** The sources refine-query runs only when their weight is given. */
export const onRequestSources = new Set<FeedbackSource>(feedbackSourceList.flatMap((s) => ('onRequest' in s && s.onRequest ? [s.name] : [])));
export const summaryNames = Object.fromEntries(feedbackSourceList.map((s) => [s.name, s.inSummary])) as Record<FeedbackSource, string>;
export const sourceLabels = Object.fromEntries(feedbackSourceList.map((s) => [s.name, s.label])) as Record<FeedbackSource, string>;

/** One entry per source, all of the same schema (e.g. a boolean per source). */
export function perSource<S extends z.ZodType>(schema: (source: (typeof feedbackSourceList)[number]) => S): z.ZodObject<Record<FeedbackSource, S>> {
  return z.object(Object.fromEntries(feedbackSourceList.map((s) => [s.name, schema(s)])) as Record<FeedbackSource, S>);
}

/** The weights a refine-query call may override (the settings panel sends the same). */
export const feedbackWeights = perSource((s) => z.number().min(0).max(s.enters === 'rerank' ? 4 : 1).optional().describe(s.hint))
  .extend({
    alpha: z.number().min(0).max(1).optional().describe('Weight of the current query (default from configs/feedback.yaml).'),
    temperature: z.number().positive().optional().describe('Softmax temperature of extended Rocchio (default 0.05).'),
  })
  .describe('Optional overrides of the feedback weights.');

export type WeightOverrides = z.infer<typeof feedbackWeights>;
