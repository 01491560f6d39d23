// Captioning prompts live in configs/captioning/<name>.yaml, so wording changes need no code change.
// A prompt is one or more conversation steps; each step is a fixed text or a seeded choice among
// alternatives, with optional suffixes for the user's instructions and query.
import { z } from 'zod';
import { loadConfig } from '../config/load-config.ts';

const stepSchema = z
  .object({
    text: z.string().min(1).optional(),
    choices: z.array(z.string().min(1)).min(1).optional(),
    instructionsSuffix: z.string().includes('{instructions}').optional(),
    querySuffix: z.string().includes('{query}').optional(),
  })
  .strict()
  .refine((s) => (s.text === undefined) !== (s.choices === undefined), 'a step needs exactly one of text or choices');

export const promptSchema = z
  .object({
    version: z.string().min(1),
    maxTokens: z.number().int().min(1).max(4096).default(100),
    seed: z.number().int().default(0),
    steps: z.array(stepSchema).min(1).max(8),
  })
  .strict();

export type PromptConfig = z.infer<typeof promptSchema>;

export const defaultPromptName = 'region';

const promptName = /^[a-z0-9][a-z0-9-]*$/;
const cache = new Map<string, PromptConfig>();

/** Loads configs/captioning/<name>.yaml (cached for the process). */
export function loadPrompt(name: string = defaultPromptName): PromptConfig {
  if (!promptName.test(name)) throw new Error(`invalid prompt name "${name}": use lower-case letters, digits and dashes`);
  let prompt = cache.get(name);
  if (!prompt) {
    prompt = loadConfig(`captioning/${name}`, promptSchema);
    cache.set(name, prompt);
  }
  return prompt;
}

/** FNV-1a over the bytes of a string or an array, for seeded choices. */
export function hash32(input: string | Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i];
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export interface PromptContext {
  instructions?: string;
  query?: string;
  /** Picks among a step's choices (e.g. the image id); the same seed always gives the same texts. */
  seed: number;
}

/** The user-turn texts of the conversation, in order. */
export function renderPrompt(prompt: PromptConfig, context: PromptContext): string[] {
  return prompt.steps.map((step, i) => {
    let text: string;
    if (step.choices) {
      const pick = hash32(`${prompt.seed}:${context.seed}:${i}`) % step.choices.length;
      text = step.choices[pick];
    } else {
      text = step.text as string;
    }
    const instructions = context.instructions?.trim();
    if (instructions && step.instructionsSuffix) text += step.instructionsSuffix.replaceAll('{instructions}', instructions);
    const query = context.query?.trim();
    if (query && step.querySuffix) text += step.querySuffix.replaceAll('{query}', query);
    return text;
  });
}
