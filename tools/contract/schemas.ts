// Input and output shapes of the three tools, shared by the MCP server, the web agent and the CLI.
// Plain zod objects so that the MCP SDK can publish them as JSON Schema.
import { z } from 'zod';
import { feedbackWeights } from '../../engine/feedback/sources.ts';
import { visualizeQueryOutput } from './visualize-query.ts';

export const imageId = z.number().int().nonnegative().describe('An image id, as returned in search results.');

export const boxSchema = z
  .object({
    x: z.number().describe('Left edge: pixels of the original image, or 0..1 of its width when units is "fraction".'),
    y: z.number().describe('Top edge, same units as x.'),
    w: z.number().positive().describe('Width, same units as x.'),
    h: z.number().positive().describe('Height, same units as x.'),
  })
  .describe('A rectangle on an image.');

export const boxUnits = z
  .enum(['px', 'fraction'])
  .optional()
  .describe('Units of the box. Default: "fraction" when every value is within 0..1, otherwise "px".');

export { feedbackWeights };

export const searchInput = z.object({
  text: z.string().min(1).max(1000).optional().describe('What to look for, in words, e.g. "a red striped circle on grass".'),
  imageId: imageId.optional().describe('Search with an image already in the library (query by example).'),
  imageBase64: z.string().max(20_000_000).optional().describe('Search with an uploaded image: base64 of a JPEG/PNG/WebP file.'),
  k: z.number().int().min(1).max(100).optional().describe('How many results to return (default 12).'),
  sessionId: z.string().optional().describe('Continue an existing session instead of starting a new one.'),
});

export const resultItem = z.object({
  id: z.number().int(),
  score: z.number(),
  rank: z.number().int().describe('1-based rank in this turn.'),
  width: z.number().int(),
  height: z.number().int(),
  previousRank: z.number().int().nullable().optional().describe('Rank in the previous turn, null when new.'),
  matches: z
    .array(z.object({ mark: z.string(), box: boxSchema, score: z.number() }))
    .optional()
    .describe('Regions of this image that matched region feedback ("matched here").'),
});

export const searchOutput = z.object({
  sessionId: z.string(),
  turn: z.number().int(),
  results: z.array(resultItem),
});

export const captionRegionInput = z.object({
  imageId,
  box: boxSchema,
  units: boxUnits,
  relevant: z.boolean().default(true).describe('true when this region shows what the user wants, false when it shows what they do not want.'),
  instructions: z.string().max(500).optional().describe('Optional hint for the captioner, e.g. "focus on the colour".'),
  sessionId: z.string().optional().describe('When given, the captioned region is remembered as feedback for the next refine-query.'),
});

export const captionRegionOutput = z.object({
  caption: z.string(),
  model: z.string(),
  latencyMs: z.number(),
  box: boxSchema.describe('The box actually captioned, in pixels of the original image.'),
  relevant: z.boolean(),
  regionId: z.string().optional().describe('Id of the remembered region in the session.'),
});

export const regionFeedback = z.object({
  imageId,
  box: boxSchema.optional().describe('The region; omit when only a caption is given.'),
  units: boxUnits,
  caption: z.string().max(500).optional().describe('A description of the region (e.g. from caption-region, possibly edited).'),
  relevant: z.boolean(),
  regionId: z
    .string()
    .max(100)
    .optional()
    .describe('The regionId caption-region returned, when this is a region it remembered (e.g. with an edited caption): this one replaces it.'),
});

/** A box on a generated picture of the session (tools/visualize-query.ts), as refine-query takes it. */
const pictureId = z.string().regex(/^g[1-9]\d{0,6}$/, 'a picture id such as g1, as visualize-query returned').describe('The generated picture of this session the box is on.');

export const pictureRegion = z.object({
  pictureId,
  box: boxSchema,
  units: boxUnits,
  caption: z.string().max(500).optional().describe('What the boxed part shows, e.g. "a red circle" (optional).'),
  relevant: z.boolean(),
});

export const activeRegionKey = z
  .string()
  .regex(/^k-[0-9a-f]{12}$/, 'a key such as k-0123456789ab, as refine-query returned in activeRegions')
  .describe('The key of a region in activeRegions.');

/**
 * A region the session applies at every refine (boxed in this or an earlier turn) until it is removed:
 * on a result (imageId) or on a generated picture of the session (pictureId).
 */
export const activeRegion = z.union([
  z.object({
    key: activeRegionKey,
    imageId,
    box: boxSchema.optional().describe('In pixels of the original image.'),
    caption: z.string().optional(),
    relevant: z.boolean(),
  }),
  z.object({
    key: activeRegionKey,
    pictureId,
    box: boxSchema.describe('In pixels of the picture.'),
    caption: z.string().optional(),
    relevant: z.boolean(),
  }),
]);

export const refineQueryInput = z.object({
  sessionId: z.string().describe('The session returned by search.'),
  relevant: z.array(imageId).max(100).optional().describe('Ids of results that are what the user wants.'),
  irrelevant: z.array(imageId).max(100).optional().describe('Ids of results that are not what the user wants.'),
  regions: z.array(regionFeedback).max(100).optional().describe('Boxed parts of results, relevant or not.'),
  comment: z
    .string()
    .max(1000)
    .optional()
    .describe('Free text, e.g. "more like the beach ones, no people". Positive and negative phrases are both understood.'),
  text: z.string().max(1000).optional().describe('A new description of what is wanted (explicit feedback).'),
  weights: feedbackWeights.optional(),
  strategy: z
    .enum(['auto', 'rocchio', 'extended-rocchio'])
    .optional()
    .describe('How judged images are combined: "auto" (default) picks per source.'),
  k: z.number().int().min(1).max(100).optional(),
  fuseInitial: z
    .boolean()
    .optional()
    .describe('Average the refined query with the first query of the session, so feedback cannot drift far from it (default from configs/feedback.yaml).'),
  excludeSeen: z.boolean().optional().describe('Leave out images already shown in earlier turns of the session, to see new ones (default false).'),
  pictureRegions: z.array(pictureRegion).max(20).optional().describe('Boxes on generated pictures of this session, relevant or not (this turn only).'),
  removeRegions: z
    .array(activeRegionKey)
    .max(100)
    .optional()
    .describe('Keys of activeRegions (regions boxed on results or generated pictures in earlier turns) to stop applying from this turn on.'),
  visualize: z
    .boolean()
    .optional()
    .describe('Also draw what the session describes (as visualize-query does) and search with the picture as an image query; a slow or failing generator only costs the picture.'),
});

export const appliedFeedback = z.object({
  source: z.string().describe('judged | regions | comment | explicit | prf | grf | afs | fuse'),
  weight: z.number(),
  positive: z.array(z.string()).describe('What pulled the query towards it (captions, phrases, image ids).'),
  negative: z.array(z.string()).describe('What pushed the query away.'),
});

export const refineQueryOutput = z.object({
  sessionId: z.string(),
  turn: z.number().int(),
  results: z.array(resultItem),
  explanation: z.object({
    applied: z.array(appliedFeedback),
    movedUp: z.number().int(),
    movedDown: z.number().int(),
    newResults: z.number().int(),
    summary: z.string(),
  }),
  saliency: z
    .array(
      z.object({
        id: z.number().int(),
        side: z.number().int().describe('Cells per side of the patch grid over the model\'s centre-cropped input.'),
        values: z.array(z.number().int().min(0).max(255)).describe('side x side attention bytes, row by row; 255 = the most looked-at patch of this image.'),
        share: z.number().describe('This image\'s share of all the summarizer\'s attention (0..1).'),
      }),
    )
    .optional()
    .describe('afs feedback only: what the summarizer looked at in each feedback image.'),
  visualization: visualizeQueryOutput.optional().describe('With visualize: the picture searched with, or why there is none this turn.'),
  activeRegions: z
    .array(activeRegion)
    .optional()
    .describe('The regions this session applies from now on (earlier turns included); pass a key in removeRegions to stop applying one.'),
});

export type SearchInput = z.infer<typeof searchInput>;
export type SearchOutput = z.infer<typeof searchOutput>;
export type CaptionRegionInput = z.infer<typeof captionRegionInput>;
export type CaptionRegionOutput = z.infer<typeof captionRegionOutput>;
export type RefineQueryInput = z.infer<typeof refineQueryInput>;
export type PictureRegion = z.infer<typeof pictureRegion>;
export type RefineQueryOutput = z.infer<typeof refineQueryOutput>;
export type ResultItem = z.infer<typeof resultItem>;
export type ActiveRegion = z.infer<typeof activeRegion>;
