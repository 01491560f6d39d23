// The caption-region tool: a box on a library image → a few words describing it, made by the
// configured captioner from a crop of the original pixels; with a sessionId the region is kept as
// pending feedback for the session's next refine-query.
import { BoxError, resolveBox } from '../engine/images/box.ts';
import { CaptionerError } from '../engine/captioners/errors.ts';
import type { ToolContext } from './context.ts';
import { ToolError } from './errors.ts';
import { loadLibraryImage, requireImage } from './library-access.ts';
import { captionRegionInput, type CaptionRegionOutput } from './contract/schemas.ts';
import { withSession } from './session-access.ts';
import { parseInput } from './validate.ts';
import type { z } from 'zod';

export async function captionRegion(ctx: ToolContext, rawInput: z.input<typeof captionRegionInput>): Promise<CaptionRegionOutput> {
  const input = parseInput(captionRegionInput, rawInput);
  const { library, sessions, captioner } = ctx;
  const record = requireImage(library, input.imageId);
  let box;
  try {
    box = resolveBox(input.box, input.units, { width: record.width, height: record.height });
  } catch (err) {
    if (err instanceof BoxError) throw new ToolError('bad-box', `box: ${err.message}`);
    throw err;
  }
  // Checked before captioning, which may take seconds.
  const session = input.sessionId !== undefined ? withSession(() => sessions.get(input.sessionId!)) : undefined;

  const image = await loadLibraryImage(library, input.imageId);
  let result;
  try {
    [result] = await captioner.caption([{ image, box, instructions: input.instructions, query: session?.query.text }]);
  } catch (err) {
    if (err instanceof CaptionerError) throw new ToolError('captioner', `captioner ${captioner.name}: ${err.message}`);
    throw err;
  }
  const output: CaptionRegionOutput = { caption: result.text, model: result.model, latencyMs: result.latencyMs, box, relevant: input.relevant };
  if (session) {
    const pending = withSession(() =>
      sessions.addPendingRegion(session.id, {
        imageId: input.imageId,
        box,
        caption: result.text,
        relevant: input.relevant,
        model: result.model,
        instructions: input.instructions,
      }),
    );
    output.regionId = pending.regionId;
  }
  return output;
}
