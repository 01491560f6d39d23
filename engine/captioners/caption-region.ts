// Captions a box drawn on a library image: what the caption-region tool does for the MCP server and
// the web app. The box comes as the user drew it (pixels or fractions) and is validated here.
import type { Box } from '../types.ts';
import type { Library } from '../library/library.ts';
import { resolveBox, type BoxUnits } from '../images/box.ts';
import type { VersionedCaptioner } from './create-captioner.ts';

export interface RegionCaptionInput {
  imageId: number;
  box: Box;
  units?: BoxUnits;
  instructions?: string;
  query?: string;
  /** Prompt name; default: the captioner's own (region). */
  prompt?: string;
}

export interface RegionCaption {
  caption: string;
  model: string;
  latencyMs: number;
  /** The box actually captioned, in pixels of the original image. */
  box: Box;
  captioner: string;
  promptVersion: string;
  scores?: { phrase: string; score: number }[];
}

/** Throws BoxError for a box that cannot be used, and an Error naming the id for a missing image. */
export async function captionLibraryRegion(library: Library, captioner: VersionedCaptioner, input: RegionCaptionInput): Promise<RegionCaption> {
  if (!library.getImage(input.imageId)) throw new Error(`no image with id ${input.imageId} in the library`);
  const image = await library.loadImage(input.imageId);
  const box = resolveBox(input.box, input.units, image);
  const [result] = await captioner.caption([
    { image, box, instructions: input.instructions, query: input.query, prompt: input.prompt, seed: input.imageId },
  ]);
  return {
    caption: result.text,
    model: result.model,
    latencyMs: result.latencyMs,
    box,
    captioner: captioner.name,
    promptVersion: captioner.versionFor(input.prompt),
    ...(result.scores ? { scores: result.scores } : {}),
  };
}
