// The narrow interface of image generators: a text prompt in, one picture out (or the reason there is
// none). Backends live in their own files (world-painter.ts, openai-compatible.ts) and are chosen by
// configs/generation.yaml (create-generator.ts).
import type { RgbImage } from '../types.ts';

export interface GenerationRequest {
  prompt: string;
  /** Aborts a generation that is no longer wanted (a turn that stopped waiting). */
  signal?: AbortSignal;
}

export interface GeneratedPicture {
  image: RgbImage;
  /** The generator's name in configs/generation.yaml. */
  generator: string;
  prompt: string;
  /** What the user should know about the picture: words not understood, what was drawn by default. */
  notes: string[];
  latencyMs: number;
}

/** A picture, or why there is none (a prompt with nothing the generator can draw): not an error. */
export type GenerationOutcome = { picture: GeneratedPicture } | { picture?: undefined; reason: string };

export interface ImageGenerator {
  readonly name: string;
  /** Throws GenerationError when the backend fails (unreachable, refused, garbage returned). */
  generate(request: GenerationRequest): Promise<GenerationOutcome>;
}
