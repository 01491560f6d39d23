// Input and output of the visualize-query tool (tools/visualize-query.ts), and the picture record that
// refine-query returns when it was asked to visualize.
import { z } from 'zod';

export const visualizeQueryInput = z.object({
  sessionId: z.string().min(1).max(100).describe('The session returned by search.'),
  text: z.string().max(1000).optional().describe('More words for the picture, added to what the session already says.'),
});

export const generatedPicture = z.object({
  id: z.string().describe('The picture id within its session (g1, g2, ...): GET /api/sessions/{sessionId}/pictures/{id}.'),
  width: z.number().int(),
  height: z.number().int(),
  generator: z.string(),
  notes: z.array(z.string()).describe('What the generator did not understand or drew by default.'),
  latencyMs: z.number(),
});

export const visualizeQueryOutput = z.object({
  sessionId: z.string(),
  prompt: z.string().describe('What the picture was generated from: the session\'s query, comments, region captions and text.'),
  picture: generatedPicture.optional().describe('"What I think you are looking for"; absent when nothing could be drawn.'),
  reason: z.string().optional().describe('Why there is no picture.'),
});

export type VisualizeQueryInput = z.infer<typeof visualizeQueryInput>;
export type VisualizeQueryOutput = z.infer<typeof visualizeQueryOutput>;
export type GeneratedPictureRecord = z.infer<typeof generatedPicture>;
