// TextEncoder over onnx/text_model*.onnx: input_ids int64 [B,L] (+ attention_mask when the graph
// has that input) → text_embeds [B,D].
import * as ort from 'onnxruntime-node';
import type { EncoderInfo, TextEncoder, TokenMatrix } from '../types.ts';
import { normalizedRow } from './normalize.ts';
import { floatData, inputType } from './onnx-session.ts';
import type { TextTokenizer } from './tokenize.ts';

export class OnnxTextEncoder implements TextEncoder {
  readonly info: EncoderInfo;
  readonly tokenizer: TextTokenizer;
  readonly givesTokens: boolean;
  private readonly session: ort.InferenceSession;
  private readonly maxBatch: number;
  private readonly feedMask: boolean;

  constructor(session: ort.InferenceSession, info: EncoderInfo, tokenizer: TextTokenizer, maxBatch = 64) {
    if (inputType(session, 'input_ids') !== 'int64') throw new Error('text model needs an int64 "input_ids" input');
    if (!session.outputNames.includes('text_embeds')) throw new Error(`text model has no "text_embeds" output (has ${session.outputNames.join(', ')})`);
    this.session = session;
    this.info = info;
    this.tokenizer = tokenizer;
    this.maxBatch = maxBatch;
    this.feedMask = session.inputNames.includes('attention_mask');
    this.givesTokens = session.outputNames.includes('last_hidden_state');
  }

  async encodeTexts(texts: string[]): Promise<Float32Array[]> {
    const results: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.maxBatch) {
      results.push(...(await this.run(texts.slice(start, start + this.maxBatch))));
    }
    return results;
  }

  private async run(texts: string[]): Promise<Float32Array[]> {
    const tokens = this.tokenizer.encodeBatch(texts);
    const dims = [tokens.batch, tokens.length];
    const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', tokens.inputIds, dims) };
    if (this.feedMask) feeds.attention_mask = new ort.Tensor('int64', tokens.attentionMask, dims);
    const outputs = await this.session.run(feeds, ['text_embeds']);
    const embeds = floatData(outputs.text_embeds);
    const dim = outputs.text_embeds.dims[1];
    return texts.map((_, i) => normalizedRow(embeds, i, dim));
  }

  /** Embeddings with the token outputs (last_hidden_state, before projection) of the real tokens. */
  async encodeTextTokens(texts: string[]): Promise<{ embedding: Float32Array; tokens: TokenMatrix }[]> {
    if (!this.givesTokens) {
      throw new Error('this text model has no "last_hidden_state" output, so it cannot give token outputs');
    }
    const results: { embedding: Float32Array; tokens: TokenMatrix }[] = [];
    for (let start = 0; start < texts.length; start += this.maxBatch) {
      const slice = texts.slice(start, start + this.maxBatch);
      const tokens = this.tokenizer.encodeBatch(slice);
      const dims = [tokens.batch, tokens.length];
      const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', tokens.inputIds, dims) };
      if (this.feedMask) feeds.attention_mask = new ort.Tensor('int64', tokens.attentionMask, dims);
      const outputs = await this.session.run(feeds, ['text_embeds', 'last_hidden_state']);
      const embeds = floatData(outputs.text_embeds);
      const hidden = floatData(outputs.last_hidden_state);
      const [, length, width] = outputs.last_hidden_state.dims;
      slice.forEach((_, i) => {
        let count = 0;
        while (count < length && tokens.attentionMask[i * length + count] === 1n) count++;
        const data = hidden.slice(i * length * width, (i * length + count) * width);
        results.push({ embedding: normalizedRow(embeds, i, outputs.text_embeds.dims[1]), tokens: { data, count, dim: width } });
      });
    }
    return results;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
