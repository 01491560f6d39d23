// The offline captioner: embeds the crop with the library's image encoder and ranks phrases from
// configured banks (or mined from the collection's captions) with its text encoder. Needs no model
// beyond the one the library already uses, so it works with the built-in model and with real CLIP.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { Box, Captioner, CaptionRequest, CaptionResult, RgbImage } from '../types.ts';
import { resolveBox } from '../images/box.ts';
import { cropImage } from '../images/crop.ts';
import type { PhraseBank } from './config.ts';
import { CaptionerError } from './errors.ts';

/** The two encoders of the active model, as the phrase captioner uses them. */
export interface PhraseEmbedder {
  /** Identifies the model: phrase embeddings are cached per id. */
  readonly id: string;
  /** L2-normalised embedding of a whole image (already cropped). */
  encodeImage(image: RgbImage): Promise<Float32Array>;
  /** L2-normalised embeddings of texts. */
  encodeTexts(texts: string[]): Promise<Float32Array[]>;
}

export interface ClipPhrasesSettings {
  name: string;
  /** Banks by name, in order; the caption comes from the first slotted bank when there is one. */
  banks: { name: string; bank: PhraseBank }[];
  top: number;
}

// Phrase embeddings per model id: a bank is embedded once per process, whatever the captioner instance.
const phraseCache = new Map<string, Map<string, Float32Array>>();

function withArticle(phrase: string): string {
  return `${/^[aeiou]/i.test(phrase) ? 'an' : 'a'} ${phrase}`;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{([^}]*)\}/g, (_, slot: string) => values[slot]).replace(/\s+/g, ' ').trim();
}

/** Every assignment of values to `slots`, as objects. */
function assignments(slots: string[], values: Record<string, string[]>): Record<string, string>[] {
  let result: Record<string, string>[] = [{}];
  for (const slot of slots) result = result.flatMap((partial) => values[slot].map((v) => ({ ...partial, [slot]: v })));
  return result;
}

interface Scored {
  phrase: string;
  score: number;
}

export class ClipPhraseCaptioner implements Captioner {
  readonly name: string;

  constructor(
    private readonly embedder: PhraseEmbedder,
    private readonly settings: ClipPhrasesSettings,
  ) {
    this.name = settings.name;
    if (settings.banks.length === 0) throw new CaptionerError(`captioner ${settings.name} has no phrases to rank`, false);
  }

  /** What is stored with each caption: a digest of the phrases ranked, which stand in for a prompt. */
  versionFor(): string {
    const digest = createHash('sha256').update(JSON.stringify(this.settings.banks)).digest('hex').slice(0, 12);
    return `phrases-${digest}`;
  }

  async caption(requests: CaptionRequest[]): Promise<CaptionResult[]> {
    const results: CaptionResult[] = [];
    for (const request of requests) results.push(await this.captionOne(request.image, request.box));
    return results;
  }

  private async captionOne(image: RgbImage, box: Box | undefined): Promise<CaptionResult> {
    const started = performance.now();
    const crop = box ? cropImage(image, resolveBox(box, 'px', image)) : image;
    const embedding = await this.embedder.encodeImage(crop);
    const scored: Scored[] = [];
    let caption: Scored | undefined;
    for (const { bank } of this.settings.banks) {
      const ranked = bank.phrases ? await this.rankList(embedding, bank) : await this.rankStages(embedding, bank);
      caption ??= ranked.caption;
      scored.push(...ranked.scored);
    }
    scored.sort((a, b) => b.score - a.score);
    // Without a slotted bank, the caption is the best phrase of all lists.
    const best = caption ?? scored[0];
    const seen = new Set<string>();
    const top = scored.filter((s) => !seen.has(s.phrase) && seen.add(s.phrase)).slice(0, this.settings.top);
    return { text: best.phrase, model: `${this.name}:${basename(this.embedder.id)}`, latencyMs: Math.round(performance.now() - started), scores: top };
  }

  private async rankList(embedding: Float32Array, bank: PhraseBank): Promise<{ caption?: Scored; scored: Scored[] }> {
    const phrases = (bank.phrases ?? []).map((p) => (bank.article ? withArticle(p) : p));
    return { scored: await this.score(embedding, phrases) };
  }

  /** Fills the slots stage by stage: each stage keeps what earlier stages chose. */
  private async rankStages(embedding: Float32Array, bank: PhraseBank): Promise<{ caption: Scored; scored: Scored[] }> {
    const slots = bank.slots ?? {};
    const chosen: Record<string, string> = {};
    const all: Scored[] = [];
    let best: Scored | undefined;
    for (const stage of bank.stages ?? []) {
      const free = [...new Set([...stage.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]))].filter((s) => !(s in chosen));
      const options = assignments(free, slots);
      const phrases = options.map((values) => {
        const phrase = fill(stage, { ...chosen, ...values });
        return bank.article ? withArticle(phrase) : phrase;
      });
      const scores = await this.score(embedding, phrases);
      const bestIndex = phrases.indexOf(scores[0].phrase);
      Object.assign(chosen, options[bestIndex]);
      best = scores[0];
      all.push(...scores);
    }
    return { caption: best as Scored, scored: all };
  }

  /** The phrases with their cosine similarity to the image, best first. */
  private async score(embedding: Float32Array, phrases: string[]): Promise<Scored[]> {
    const vectors = await this.embed(phrases);
    return phrases.map((phrase, i) => ({ phrase, score: dot(embedding, vectors[i]) })).sort((a, b) => b.score - a.score);
  }

  private async embed(phrases: string[]): Promise<Float32Array[]> {
    let cache = phraseCache.get(this.embedder.id);
    if (!cache) phraseCache.set(this.embedder.id, (cache = new Map()));
    const missing = [...new Set(phrases.filter((p) => !cache.has(p)))];
    const batch = 256;
    for (let i = 0; i < missing.length; i += batch) {
      const part = missing.slice(i, i + batch);
      const vectors = await this.embedder.encodeTexts(part);
      part.forEach((phrase, j) => cache.set(phrase, vectors[j]));
    }
    return phrases.map((p) => cache.get(p) as Float32Array);
  }
}
