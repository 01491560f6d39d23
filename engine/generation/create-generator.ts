// The image generator named in configs/generation.yaml ($VISUALREF_GENERATOR, else the default).
import { loadGenerationConfig, type GenerationFile } from './config.ts';
import type { ImageGenerator } from './image-generator.ts';
import { OpenAiCompatibleGenerator } from './openai-compatible.ts';
import { WorldPainter } from './world-painter.ts';

export function createGenerator(name = process.env.VISUALREF_GENERATOR, config: GenerationFile = loadGenerationConfig()): ImageGenerator {
  const chosen = name || config.default;
  const entry = config.generators[chosen];
  if (!entry) throw new Error(`no image generator "${chosen}" in configs/generation.yaml (known: ${Object.keys(config.generators).join(', ')})`);
  switch (entry.kind) {
    case 'world-painter':
      return new WorldPainter(chosen);
    case 'openai-compatible':
      return new OpenAiCompatibleGenerator({
        name: chosen,
        baseUrl: process.env.VISUALREF_GENERATION_BASE_URL || entry.baseUrl,
        model: process.env.VISUALREF_GENERATION_MODEL || entry.model,
        apiKey: process.env[entry.apiKeyEnv],
        size: entry.size as `${number}x${number}`,
        timeoutMs: entry.timeoutMs,
        retries: entry.retries,
        backoffMs: entry.backoffMs,
        maxBytes: entry.maxBytes,
        maxPixels: entry.maxPixels,
      });
  }
}
