// Text → token id batches for CLIP/SigLIP text models, on top of @huggingface/tokenizers (which
// encodes one text; padding and truncation are done here as the Hugging Face processors do them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { z } from 'zod';
import type { ModelFamily } from './preprocess-spec.ts';

export interface TokenBatch {
  /** Row-major [batch, length] ids. */
  inputIds: BigInt64Array;
  /** 1 for real tokens, 0 for padding, same shape. */
  attentionMask: BigInt64Array;
  batch: number;
  length: number;
}

const tokenName = z.union([z.string(), z.object({ content: z.string() }).transform((t) => t.content)]);
const tokenizerConfigSchema = z.looseObject({
  model_max_length: z.number().positive().optional(),
  pad_token: tokenName.nullish(),
  eos_token: tokenName.nullish(),
  do_lower_case: z.boolean().optional(),
});

export interface TokenizerOptions {
  family: ModelFamily;
  /** The text model's position count (config.json text_config.max_position_embeddings). */
  maxPositions?: number;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export class TextTokenizer {
  readonly maxLength: number;
  readonly padId: number;
  /** CLIP pads to the longest text of the batch; SigLIP always to maxLength (it was trained so). */
  readonly padToMax: boolean;
  private readonly tokenizer: Tokenizer;
  private readonly lowercase: boolean;
  private readonly specialIds: Set<number>;

  constructor(tokenizerJson: unknown, tokenizerConfig: unknown, options: TokenizerOptions, where = 'tokenizer') {
    const parsed = tokenizerConfigSchema.safeParse(tokenizerConfig ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${where} config: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
    }
    const config = parsed.data;
    this.tokenizer = new Tokenizer(tokenizerJson as object, tokenizerConfig as object);
    const defaultMax = options.family === 'clip' ? 77 : 64;
    // Some configs hold a huge sentinel for "no limit": the position table is the real limit.
    this.maxLength = Math.min(config.model_max_length ?? defaultMax, options.maxPositions ?? defaultMax);
    const padToken = config.pad_token ?? config.eos_token;
    const padId = padToken === undefined || padToken === null ? undefined : this.tokenizer.token_to_id(padToken);
    if (padId === undefined) throw new Error(`${where}: the pad token ${JSON.stringify(padToken)} is not in the vocabulary`);
    this.padId = padId;
    this.padToMax = options.family === 'siglip';
    this.lowercase = config.do_lower_case === true;
    this.specialIds = new Set(
      [...this.tokenizer.get_added_tokens_decoder().entries()].filter(([, token]) => token.special).map(([id]) => id),
    );
  }

  /** Reads tokenizer.json and tokenizer_config.json from a model folder. */
  static fromFolder(folder: string, options: TokenizerOptions): TextTokenizer {
    const json = readJson(join(folder, 'tokenizer.json'));
    let config: unknown = {};
    try {
      config = JSON.parse(readFileSync(join(folder, 'tokenizer_config.json'), 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${join(folder, 'tokenizer_config.json')}: ${String(err)}`);
    }
    return new TextTokenizer(json, config, options, join(folder, 'tokenizer.json'));
  }

  /** Ids of one text with the special tokens, truncated to maxLength keeping the final end token. */
  encode(text: string): number[] {
    const ids = this.tokenizer.encode(this.lowercase ? text.toLowerCase() : text).ids;
    if (ids.length <= this.maxLength) return ids;
    const last = ids[ids.length - 1];
    return this.specialIds.has(last) ? [...ids.slice(0, this.maxLength - 1), last] : ids.slice(0, this.maxLength);
  }

  encodeBatch(texts: string[]): TokenBatch {
    const rows = texts.map((t) => this.encode(t));
    const length = this.padToMax ? this.maxLength : Math.max(1, ...rows.map((r) => r.length));
    const inputIds = new BigInt64Array(rows.length * length).fill(BigInt(this.padId));
    const attentionMask = new BigInt64Array(rows.length * length);
    rows.forEach((row, i) => {
      row.forEach((id, j) => {
        inputIds[i * length + j] = BigInt(id);
        attentionMask[i * length + j] = 1n;
      });
    });
    return { inputIds, attentionMask, batch: rows.length, length };
  }
}
