// configs/generation.yaml: the image generators visualref can use (issue 20), validated.
import { z } from 'zod';
import { loadConfig } from '../config/load-config.ts';

const worldPainterSchema = z
  .object({
    kind: z.literal('world-painter'),
    description: z.string().optional(),
  })
  .strict();

const openAiCompatibleSchema = z
  .object({
    kind: z.literal('openai-compatible'),
    description: z.string().optional(),
    /** Base URL of the API, ending in /v1; POST {baseUrl}/images/generations. */
    baseUrl: z.url(),
    model: z.string().min(1),
    apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).default('VISUALREF_GENERATION_API_KEY'),
    size: z.string().regex(/^\d{2,4}x\d{2,4}$/, { error: 'must be WIDTHxHEIGHT, e.g. 512x512' }).default('512x512'),
    timeoutMs: z.number().int().min(100).default(60_000),
    /** Further attempts after a failure that may pass (connection refused, timeout, 429, 5xx). */
    retries: z.number().int().min(0).max(10).default(2),
    backoffMs: z.number().int().min(0).default(1000),
    /** The largest picture accepted back, as for an upload (tools/upload.ts). */
    maxBytes: z.number().int().min(1024).default(16 * 1024 * 1024),
    maxPixels: z.number().int().min(1024).default(4096 * 4096),
  })
  .strict();

export const generatorSchema = z.discriminatedUnion('kind', [worldPainterSchema, openAiCompatibleSchema]);
export type GeneratorConfig = z.infer<typeof generatorSchema>;
export type OpenAiCompatibleGeneratorConfig = z.infer<typeof openAiCompatibleSchema>;

const generationFileSchema = z
  .object({
    default: z.string().min(1),
    /** How long a refine turn waits for its picture before it searches without one. */
    turnTimeoutMs: z.number().int().min(100).default(60_000),
    generators: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), generatorSchema),
  })
  .strict()
  .refine((c) => Object.hasOwn(c.generators, c.default), { message: 'default names no generator', path: ['default'] });

export type GenerationFile = z.infer<typeof generationFileSchema>;

export function loadGenerationConfig(): GenerationFile {
  return loadConfig('generation', generationFileSchema);
}
