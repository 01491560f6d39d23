// The visualize-query tool (issue 20, GenIR): draws what the session currently describes — its query,
// comments, region captions and text (generation-prompt.ts) — with the configured image generator
// (configs/generation.yaml), and stores the picture under the session (generated-pictures.ts) so that
// it can be shown in the thread as "what I think you are looking for". refine-query uses the same
// path when asked to visualize, and searches with the picture as an image query.
import { createGenerator } from '../engine/generation/create-generator.ts';
import { loadGenerationConfig } from '../engine/generation/config.ts';
import { GenerationError } from '../engine/generation/errors.ts';
import type { ImageGenerator } from '../engine/generation/image-generator.ts';
import type { RgbImage } from '../engine/types.ts';
import type { ToolContext } from './context.ts';
import { ToolError } from './errors.ts';
import { storePicture } from './generated-pictures.ts';
import { generationPrompt } from './generation-prompt.ts';
import { requireSession, withSession } from './session-access.ts';
import { parseInput } from './validate.ts';
import { visualizeQueryInput, type VisualizeQueryOutput } from './contract/visualize-query.ts';
import type { z } from 'zod';

interface Generation {
  generator: ImageGenerator;
  turnTimeoutMs: number;
}

const generations = new WeakMap<ToolContext, Generation>();

/** The context's generator, made once from configs/generation.yaml ($VISUALREF_GENERATOR picks one). */
export function generationFor(ctx: ToolContext): Generation {
  let generation = generations.get(ctx);
  if (!generation) {
    const config = loadGenerationConfig();
    generation = { generator: createGenerator(undefined, config), turnTimeoutMs: config.turnTimeoutMs };
    generations.set(ctx, generation);
  }
  return generation;
}

/** Uses `generator` for this context instead of the configured one (a server started with another). */
export function useGenerator(ctx: ToolContext, generator: ImageGenerator, turnTimeoutMs: number): void {
  generations.set(ctx, { generator, turnTimeoutMs });
}

export interface Visualization {
  output: VisualizeQueryOutput;
  /** The picture's pixels, for searching with it. */
  image?: RgbImage;
}

/** Generates and stores the session's picture; `signal` ends the wait (a GenerationError then). */
export async function visualizeSession(ctx: ToolContext, sessionId: string, extra: string | undefined, signal?: AbortSignal): Promise<Visualization> {
  const session = requireSession(ctx.sessions, sessionId);
  const prompt = generationPrompt(session, withSession(() => ctx.sessions.turns(sessionId)), withSession(() => ctx.sessions.pendingRegions(sessionId)), extra);
  if (!prompt) return { output: { sessionId, prompt, reason: 'the session has no words to draw from yet: search with text, or give text' } };
  const { generator } = generationFor(ctx);
  const outcome = await generator.generate({ prompt, signal });
  if (!outcome.picture) return { output: { sessionId, prompt, reason: outcome.reason } };
  const { image, notes, latencyMs } = outcome.picture;
  const id = await storePicture(ctx.library.dir, sessionId, image);
  return {
    output: { sessionId, prompt, picture: { id, width: image.width, height: image.height, generator: generator.name, notes, latencyMs: Math.round(latencyMs) } },
    image,
  };
}

export async function visualizeQuery(ctx: ToolContext, rawInput: z.input<typeof visualizeQueryInput>): Promise<VisualizeQueryOutput> {
  const input = parseInput(visualizeQueryInput, rawInput);
  try {
    return (await visualizeSession(ctx, input.sessionId, input.text)).output;
  } catch (err) {
    if (err instanceof GenerationError) throw new ToolError('generator', err.message);
    throw err;
  }
}
