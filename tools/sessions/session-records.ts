// The shapes a session stores as JSON, validated when written and again when read back, so that a
// bad caller cannot store something a later turn would choke on.
import { z } from 'zod';
import { appliedFeedback, feedbackWeights } from '../contract/schemas.ts';
import { judgedStrategies, modalityModes } from '../../engine/feedback/config.ts';
import { visualizeQueryOutput } from '../contract/visualize-query.ts';
import { maxSessionTitleLength } from '../contract/session-title.ts';
import { activeRegion, activeRegionKey } from '../contract/schemas.ts';

const pixelBox = z.object({ x: z.number().min(0), y: z.number().min(0), w: z.number().positive(), h: z.number().positive() }).strict();

export const sessionOptionsSchema = z
  .object({
    /** Leave images already shown out of later turns. */
    excludeSeen: z.boolean().default(false),
    /** Average the original query back into each refined query (VisualReF). */
    fuseInitial: z.boolean().default(false),
    weights: feedbackWeights.default({}),
    modalityMode: z.enum(modalityModes).optional(),
    judgedStrategy: z.enum(judgedStrategies).optional(),
    /** Results per turn. */
    k: z.number().int().min(1).max(100).optional(),
  })
  .strict();

export const regionRecordSchema = z
  .object({
    imageId: z.number().int().nonnegative(),
    /** In pixels of the original image. */
    box: pixelBox.optional(),
    caption: z.string().max(500).optional(),
    relevant: z.boolean(),
    /** The pending region this came from (caption-region with a sessionId). */
    regionId: z.string().optional(),
  })
  .strict();

/** A box on a generated picture of the session (tools/picture-marks.ts), in the picture's pixels. */
export const pictureRegionRecordSchema = z
  .object({
    pictureId: z.string().regex(/^g[1-9]\d{0,6}$/),
    box: pixelBox,
    caption: z.string().max(500).optional(),
    relevant: z.boolean(),
  })
  .strict();

export const turnFeedbackSchema = z
  .object({
    relevant: z.array(z.number().int().nonnegative()).default([]),
    irrelevant: z.array(z.number().int().nonnegative()).default([]),
    regions: z.array(regionRecordSchema).default([]),
    pictureRegions: z.array(pictureRegionRecordSchema).default([]),
    /** Regions of earlier turns the user took back in this turn (keys of refine-query's activeRegions). */
    removedRegions: z.array(activeRegionKey).max(100).default([]),
    comment: z.string().max(1000).optional(),
    /** The comment as the parser read it. */
    parsedComment: z
      .object({ positive: z.array(z.string()), negative: z.array(z.string()), referencedRanks: z.array(z.number().int()), rejectedRanks: z.array(z.number().int()) })
      .optional(),
    text: z.string().max(1000).optional(),
    strategy: z.string().optional(),
  })
  .strict();

/** A session's title: the first query unless the user renamed it. */
export const sessionTitleSchema = z
  .string()
  .trim()
  .min(1, 'is empty')
  .max(maxSessionTitleLength, `is longer than ${maxSessionTitleLength} characters`);

export const turnExplanationSchema = z.object({
  applied: z.array(appliedFeedback.extend({ negativeWeight: z.number().optional() })),
  movedUp: z.number().int(),
  movedDown: z.number().int(),
  newResults: z.number().int(),
  summary: z.string(),
  /** The generated picture the turn searched with (refine-query visualize), so a reloaded thread shows it. */
  visualization: visualizeQueryOutput.optional(),
  /** The regions the turn applied, earlier turns' included (refine-query's activeRegions), so a reload lists them. */
  activeRegions: z.array(activeRegion).max(200).optional(),
});

/** A region of a result that matched region feedback ("matched here"), kept so a reload can draw it. */
const matchRecordSchema = z.object({ mark: z.string().max(600), box: pixelBox, score: z.number() }).strict();

export const turnResultSchema = z
  .object({ id: z.number().int().nonnegative(), score: z.number(), rank: z.number().int().min(1), matches: z.array(matchRecordSchema).max(50).optional() })
  .strict();

export const pendingRegionInputSchema = z
  .object({
    imageId: z.number().int().nonnegative(),
    box: pixelBox,
    caption: z.string().max(500),
    relevant: z.boolean(),
    /** The captioner that wrote the caption. */
    model: z.string().optional(),
    instructions: z.string().max(500).optional(),
  })
  .strict();

export type SessionOptions = z.infer<typeof sessionOptionsSchema>;
export type SessionOptionsInput = z.input<typeof sessionOptionsSchema>;
export type RegionRecord = z.infer<typeof regionRecordSchema>;
export type PictureRegionRecord = z.infer<typeof pictureRegionRecordSchema>;
export type TurnFeedback = z.infer<typeof turnFeedbackSchema>;
export type TurnFeedbackInput = z.input<typeof turnFeedbackSchema>;
export type TurnExplanation = z.infer<typeof turnExplanationSchema>;
export type TurnResult = z.infer<typeof turnResultSchema>;
export type PendingRegionInput = z.infer<typeof pendingRegionInputSchema>;
