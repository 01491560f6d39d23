// What the chat web app and the server-side agent say to each other. The browser sends one user
// message per turn (AI SDK UI message); its metadata carries the structured feedback of the turn, so
// the deterministic agent never has to parse prose and the language-model agent gets it verbatim.
import { z } from 'zod';
import { activeRegionKey, pictureRegion, regionFeedback } from '../../tools/contract/schemas.ts';
import type { ToolCalls, ToolIO } from '../../tools/contract/tools.ts';
import { feedbackSources, feedbackWeights, perSource, type FeedbackSource } from '../../engine/feedback/sources.ts';

export { feedbackSources, type FeedbackSource };

export const chatSettings = z.object({
  k: z.number().int().min(1).max(100),
  sources: perSource(() => z.boolean()),
  // The same weights, with the same bounds and meaning, as refine-query's `weights`, all given.
  weights: feedbackWeights.omit({ temperature: true }).required(),
  temperature: z.number().positive().max(10),
  depth: z.number().int().min(1).max(100),
  excludeSeen: z.boolean(),
  fuseQuery: z.boolean(),
  /** Each refine turn also draws what it understood and searches with the picture (tools/visualize-query.ts). */
  visualize: z.boolean().optional(),
});
export type ChatSettings = z.infer<typeof chatSettings>;

/** A boxed region as refine-query takes it (the web app always sends the box, in image pixels). */
export type BoxFeedback = z.infer<typeof regionFeedback>;

/** One turn as the user asked for it. */
export const turnRequest = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('search'),
    /** Query by example: an image already in the library ("more like this"). */
    imageId: z.number().int().nonnegative().optional(),
  }),
  z.object({
    action: z.literal('refine'),
    relevant: z.array(z.number().int().nonnegative()).max(100).default([]),
    irrelevant: z.array(z.number().int().nonnegative()).max(100).default([]),
    regions: z.array(regionFeedback).max(100).default([]),
    /** Boxes on the generated picture of the thread. */
    pictureRegions: z.array(pictureRegion).max(20).optional(),
    /** Regions of earlier turns the user removed (keys of refine-query's activeRegions). */
    removeRegions: z.array(activeRegionKey).max(100).optional(),
  }),
]);
export type TurnRequest = z.infer<typeof turnRequest>;

export const userMetadata = z.object({
  request: turnRequest,
  settings: chatSettings.optional(),
});
export type UserMetadata = z.infer<typeof userMetadata>;

export const agentModes = ['deterministic', 'model', 'llama'] as const;
export type AgentMode = (typeof agentModes)[number];

export interface AssistantMetadata {
  /** Which agent answered; absent on threads rebuilt from a stored session. */
  mode?: AgentMode;
  /** The language model's name in "model" mode, the GGUF file's name in "llama" mode. */
  model?: string;
  sessionId?: string;
  turn?: number;
  /** Server time from the request to the last tool result. */
  elapsedMs?: number;
}

/** Text and file parts of a user message as the AI SDK sends them; other part types are ignored. */
const userPart = z.union([
  z.object({ type: z.literal('text'), text: z.string().max(1000) }).passthrough(),
  z.object({ type: z.literal('file'), mediaType: z.string(), url: z.string().max(28_000_000), filename: z.string().optional() }).passthrough(),
  z.object({ type: z.string().refine((t) => t !== 'text' && t !== 'file', 'a text or file part that is too long or malformed') }).passthrough(),
]);

/** Body of POST /api/chat: only the newest user message travels (the thread lives in the session). */
export const chatRequestBody = z.object({
  id: z.string().min(1).max(200),
  sessionId: z.string().min(1).max(200).optional(),
  message: z.object({
    id: z.string().max(200),
    role: z.literal('user'),
    parts: z.array(userPart).max(20),
    metadata: userMetadata,
  }),
});
export type ChatRequestBody = z.infer<typeof chatRequestBody>;

/** The tools as the UI message stream names them: parts arrive as `tool-search`, `tool-refine-query`… */
export type ChatUITools = ToolIO;

/** What an agent needs for a turn. */
export interface ChatContext {
  tools: ChatTools;
  /** The settings panel's defaults: weights left at them are not sent as overrides. */
  defaults: ChatSettings;
}

/** The tools bound to one library (tools/registry.ts bindTools): what every agent calls. */
export type ChatTools = ToolCalls;
