// Builds the captioner a name refers to in configs/captioning/captioners.yaml, with the environment's
// overrides (server URL, model, API key) applied.
import { basename } from 'node:path';
import type { Captioner } from '../types.ts';
import { loadCaptionersConfig, loadPhraseBanks, type CaptionerConfig, type ClipPhrasesConfig, type OpenAiCompatibleConfig } from './config.ts';
import { ClipPhraseCaptioner, type PhraseEmbedder } from './clip-phrases.ts';
import { CaptionerError } from './errors.ts';
import { minePhrases } from './mine-phrases.ts';
import { OpenAiCompatibleCaptioner, type OpenAiCompatibleSettings } from './openai-compatible.ts';

export interface CaptionerContext {
  /** The library's model (registry name or folder), for `defaultForModel`. */
  model?: string;
  /** The library's encoders, for the offline captioner. */
  embedder?: PhraseEmbedder;
  /** Captions already known for the collection, for the "mined" phrase bank. */
  collectionCaptions?: () => string[];
}

/** The captioner to use: the one asked for, else $VISUALREF_CAPTIONER, else the model's default. */
export function chooseCaptionerName(requested: string | undefined, model?: string): string {
  if (requested) return requested;
  if (process.env.VISUALREF_CAPTIONER) return process.env.VISUALREF_CAPTIONER;
  const config = loadCaptionersConfig();
  if (model) {
    const byModel = config.defaultForModel[model] ?? config.defaultForModel[basename(model)];
    if (byModel) return byModel;
  }
  return config.default;
}

export function captionerConfig(name: string): CaptionerConfig {
  const config = loadCaptionersConfig();
  if (!Object.hasOwn(config.captioners, name)) {
    throw new CaptionerError(`no captioner named "${name}" (configs/captioning/captioners.yaml has: ${Object.keys(config.captioners).join(', ')})`, false);
  }
  return config.captioners[name];
}

export function openAiSettings(name: string, config: OpenAiCompatibleConfig, env: NodeJS.ProcessEnv = process.env): OpenAiCompatibleSettings {
  return {
    name,
    baseUrl: env.VISUALREF_CAPTION_BASE_URL || config.baseUrl,
    model: env.VISUALREF_CAPTION_MODEL || config.model,
    apiKey: env[config.apiKeyEnv] || undefined,
    prompt: config.prompt,
    timeoutMs: config.timeoutMs,
    concurrency: config.concurrency,
    retries: config.retries,
    backoffMs: config.backoffMs,
    maxImageSide: config.maxImageSide,
    imageFormat: config.imageFormat,
  };
}

function phraseCaptioner(name: string, config: ClipPhrasesConfig, context: CaptionerContext): ClipPhraseCaptioner {
  if (!context.embedder) throw new CaptionerError(`captioner ${name} ranks phrases with the library's model: open a library first`, false);
  const banks = loadPhraseBanks();
  const chosen = [];
  for (const bankName of config.banks) {
    if (bankName === 'mined') {
      const phrases = minePhrases(context.collectionCaptions?.() ?? [], { max: config.minedMax, minCount: config.minedMinCount });
      // Until the collection has captions there is nothing to mine: the other banks do the work.
      if (phrases.length) chosen.push({ name: 'mined', bank: { article: true, phrases } });
      continue;
    }
    if (!Object.hasOwn(banks, bankName)) {
      throw new CaptionerError(`captioner ${name} uses phrase bank "${bankName}", which configs/captioning/phrases.yaml does not define`, false);
    }
    chosen.push({ name: bankName, bank: banks[bankName] });
  }
  return new ClipPhraseCaptioner(context.embedder, { name, banks: chosen, top: config.top });
}

/** A captioner that also says which prompt version its captions are made with. */
export type VersionedCaptioner = Captioner & { versionFor(prompt?: string): string };

/** The captioner named `name` (or the default one, see chooseCaptionerName). */
export function createCaptioner(name: string | undefined, context: CaptionerContext = {}): VersionedCaptioner {
  const chosen = chooseCaptionerName(name, context.model);
  const config = captionerConfig(chosen);
  return config.kind === 'openai-compatible' ? new OpenAiCompatibleCaptioner(openAiSettings(chosen, config)) : phraseCaptioner(chosen, config, context);
}
