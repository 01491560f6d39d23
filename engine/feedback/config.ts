// configs/feedback.yaml: the validated shape of the feedback defaults.
import { z } from 'zod';
import { loadConfig } from '../config/load-config.ts';
import { querySources, type QuerySource } from './sources.ts';

const weight = z.number().min(0).max(1);

const sourceWeights = z.object({ positive: weight, negative: weight }).strict();

export const modalityModes = ['raw', 'centered', 'per-modality'] as const;
export type ModalityMode = (typeof modalityModes)[number];

export const judgedStrategies = ['auto', 'rocchio', 'extended-rocchio'] as const;
export type JudgedStrategy = (typeof judgedStrategies)[number];

export const feedbackConfigSchema = z
  .object({
    rocchio: z
      .object({ alpha: weight, beta: weight, gamma: weight, tau: z.number().positive(), k: z.number().int().min(1) })
      .strict(),
    visualref: z.object({ alpha: weight, beta: weight, gamma: weight }).strict(),
    compose: z
      .object({
        alpha: weight,
        judgedStrategy: z.enum(judgedStrategies),
        modalityMode: z.enum(modalityModes),
        fuseInitial: z.boolean(),
        // Sources mixed into the query; `regions` re-ranks instead and is weighted by regionScore.
        sources: z.object(Object.fromEntries(querySources.map((s) => [s, sourceWeights])) as Record<QuerySource, typeof sourceWeights>).strict(),
      })
      .strict(),
    regionScore: z.object({ lambda: z.number().min(0), mu: z.number().min(0) }).strict(),
    combined: z
      .object({
        alpha: weight,
        explicit: weight,
        judged: sourceWeights,
        region: z.object({ lambda: z.number().min(0), mu: z.number().min(0) }).strict(),
      })
      .strict(),
    sessions: z.object({ ttlHours: z.number().positive() }).strict(),
    /** The generated picture of the query (issue 20), fused by score as an image query with this weight. */
    generated: z.object({ weight }).strict().default({ weight: 0.5 }),
  })
  .strict();

export type FeedbackConfig = z.infer<typeof feedbackConfigSchema>;
export type SourceWeights = z.infer<typeof sourceWeights>;

export function loadFeedbackConfig(): FeedbackConfig {
  return loadConfig('feedback', feedbackConfigSchema);
}
