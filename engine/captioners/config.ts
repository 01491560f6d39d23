// The captioners named in configs/captioning/captioners.yaml and the phrase banks of
// configs/captioning/phrases.yaml, validated.
import { z } from 'zod';
import { loadConfig } from '../config/load-config.ts';

const openAiCompatibleSchema = z
  .object({
    kind: z.literal('openai-compatible'),
    description: z.string().optional(),
    baseUrl: z.url(),
    model: z.string().min(1),
    apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).default('VISUALREF_CAPTION_API_KEY'),
    prompt: z.string().min(1).default('region'),
    timeoutMs: z.number().int().min(100).default(120_000),
    concurrency: z.number().int().min(1).max(64).default(1),
    retries: z.number().int().min(0).max(10).default(3),
    backoffMs: z.number().int().min(0).default(1000),
    maxImageSide: z.number().int().min(32).max(8192).default(1024),
    imageFormat: z.enum(['png', 'jpeg']).default('png'),
  })
  .strict();

const clipPhrasesSchema = z
  .object({
    kind: z.literal('clip-phrases'),
    description: z.string().optional(),
    banks: z.array(z.string().min(1)).min(1),
    /** How many ranked phrases a result carries in `scores`. */
    top: z.number().int().min(1).max(100).default(5),
    /** Mining: the most phrases kept, and how many captions a phrase must appear in. */
    minedMax: z.number().int().min(1).max(5000).default(300),
    minedMinCount: z.number().int().min(1).default(3),
  })
  .strict();

export const captionerSchema = z.discriminatedUnion('kind', [openAiCompatibleSchema, clipPhrasesSchema]);
export type CaptionerConfig = z.infer<typeof captionerSchema>;
export type OpenAiCompatibleConfig = z.infer<typeof openAiCompatibleSchema>;
export type ClipPhrasesConfig = z.infer<typeof clipPhrasesSchema>;

const captionersFileSchema = z
  .object({
    default: z.string().min(1),
    defaultForModel: z.record(z.string(), z.string()).default({}),
    captioners: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), captionerSchema),
  })
  .strict()
  .refine((c) => Object.hasOwn(c.captioners, c.default), { message: 'default names no captioner', path: ['default'] });

export type CaptionersFile = z.infer<typeof captionersFileSchema>;

export function loadCaptionersConfig(): CaptionersFile {
  return loadConfig('captioning/captioners', captionersFileSchema);
}

const slotName = /^[a-z][a-z0-9_]*$/;

const phraseBankSchema = z
  .object({
    article: z.boolean().default(false),
    phrases: z.array(z.string().min(1)).min(1).optional(),
    slots: z.record(z.string().regex(slotName), z.array(z.string().min(1)).min(1)).optional(),
    stages: z.array(z.string().min(1)).min(1).optional(),
  })
  .strict()
  .superRefine((bank, ctx) => {
    const listed = bank.phrases !== undefined;
    const slotted = bank.slots !== undefined && bank.stages !== undefined;
    if (listed === slotted) ctx.addIssue({ code: 'custom', message: 'a bank needs either phrases, or slots with stages' });
    for (const stage of bank.stages ?? []) {
      for (const [, slot] of stage.matchAll(/\{([^}]*)\}/g)) {
        if (!bank.slots || !Object.hasOwn(bank.slots, slot)) ctx.addIssue({ code: 'custom', message: `stage "${stage}" uses unknown slot {${slot}}` });
      }
    }
  });

export type PhraseBank = z.infer<typeof phraseBankSchema>;

const phrasesFileSchema = z.object({ banks: z.record(z.string(), phraseBankSchema) }).strict();

export function loadPhraseBanks(): Record<string, PhraseBank> {
  return loadConfig('captioning/phrases', phrasesFileSchema).banks;
}
