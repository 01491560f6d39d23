// The settings panel's defaults, read from configs/feedback.yaml so the panel and the tools agree.
import type { FeedbackConfig } from '../../engine/feedback/config.ts';
import { defaultResultCount } from '../../tools/search.ts';
import { feedbackSources, onRequestSources } from '../../engine/feedback/sources.ts';
import type { ChatSettings } from './protocol.ts';

export function defaultSettings(config: FeedbackConfig): ChatSettings {
  // `regions` re-ranks rather than entering the query: its weight is λ of the region score.
  const weights = Object.fromEntries(
    feedbackSources.map((s) => [s, s === 'regions' ? config.regionScore.lambda : config.compose.sources[s].positive]),
  ) as Record<(typeof feedbackSources)[number], number>;
  return {
    k: defaultResultCount,
    sources: Object.fromEntries(feedbackSources.map((s) => [s, !onRequestSources.has(s)])) as Record<(typeof feedbackSources)[number], boolean>,
    weights: { alpha: config.compose.alpha, ...weights },
    temperature: config.rocchio.tau,
    depth: config.rocchio.k,
    excludeSeen: false,
    fuseQuery: config.compose.fuseInitial,
    visualize: false,
  };
}
