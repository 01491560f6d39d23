// ImageEncoder over onnx/vision_model*.onnx: pixel_values [B,3,H,W] → image_embeds [B,D]
// (+ last_hidden_state [B,T,W] for patch tokens, + token_embeds [B·T,D] and head_tokens [B,T,W] when
// the graph was given those outputs by engine/encoders/token-head.ts, whose head graph then pools any
// set of tokens the way the model pools a whole image).
import * as ort from 'onnxruntime-node';
import type { EncoderInfo, ImageEncoder, ImageEncoding, PreprocessSpec, RgbImage, TokenMatrix } from '../types.ts';
import { normalizedRow } from './normalize.ts';
import { floatData, float32ToFloat16, inputType } from './onnx-session.ts';
import { pixelTensor } from './pixel-tensor.ts';
import { headTokensOutput, tokenEmbedsOutput } from './token-head.ts';

type EncodeOptions = { tokens?: boolean; tokenEmbeds?: boolean };

export class OnnxImageEncoder implements ImageEncoder {
  readonly info: EncoderInfo;
  readonly preprocess: PreprocessSpec;
  readonly givesTokens: boolean;
  private readonly session: ort.InferenceSession;
  private readonly maxBatch: number;
  private readonly float16Input: boolean;
  readonly hasTokenEmbeds: boolean;
  private readonly head: ort.InferenceSession | undefined;
  private headPools: Promise<boolean> | undefined;

  constructor(session: ort.InferenceSession, info: EncoderInfo, preprocess: PreprocessSpec, maxBatch = 32, head?: ort.InferenceSession) {
    if (!session.outputNames.includes('image_embeds')) {
      throw new Error(`vision model has no "image_embeds" output (has ${session.outputNames.join(', ')})`);
    }
    const type = inputType(session, 'pixel_values');
    if (type !== 'float32' && type !== 'float16') throw new Error(`vision model needs a float "pixel_values" input (found ${type ?? 'none'})`);
    this.session = session;
    this.info = info;
    this.preprocess = preprocess;
    this.maxBatch = maxBatch;
    this.float16Input = type === 'float16';
    this.givesTokens = session.outputNames.includes('last_hidden_state');
    this.hasTokenEmbeds = session.outputNames.includes(tokenEmbedsOutput) && session.outputNames.includes(headTokensOutput);
    this.head = head;
  }

  /**
   * The model's own pooling of each token set (rows of the head's input width), as unit vectors; or
   * undefined when its head does not pool a set (CLIP's head reads only the first token).
   */
  async poolTokenSets(sets: TokenMatrix[]): Promise<Float32Array[] | undefined> {
    if (!this.head || sets.length === 0) return undefined;
    this.headPools ??= this.probeHeadPools(sets[0].dim);
    if (!(await this.headPools)) return undefined;
    const out: Float32Array[] = new Array(sets.length);
    const byCount = new Map<number, number[]>();
    sets.forEach((set, i) => byCount.set(set.count, [...(byCount.get(set.count) ?? []), i]));
    for (const [count, indices] of byCount) {
      const vectors = await this.runHead(indices.map((i) => sets[i].data), count, sets[indices[0]].dim);
      indices.forEach((i, k) => (out[i] = vectors[k]));
    }
    return out;
  }

  private async runHead(rows: Float32Array[], count: number, dim: number): Promise<Float32Array[]> {
    const head = this.head as ort.InferenceSession;
    const data = new Float32Array(rows.length * count * dim);
    rows.forEach((r, i) => data.set(r, i * count * dim));
    const dims = [rows.length, count, dim];
    const input = inputType(head, head.inputNames[0]) === 'float16' ? new ort.Tensor('float16', float32ToFloat16(data), dims) : new ort.Tensor('float32', data, dims);
    const outputs = await head.run({ [head.inputNames[0]]: input }, ['image_embeds']);
    const embeds = floatData(outputs.image_embeds);
    return rows.map((_, i) => normalizedRow(embeds, i, outputs.image_embeds.dims[1]));
  }

  /** A pooling head gives the same vector for a set in any order; a head that picks a token does not. */
  private async probeHeadPools(dim: number): Promise<boolean> {
    const a = Float32Array.from({ length: dim }, (_, i) => Math.sin(i * 1.7) * 0.8);
    const b = Float32Array.from({ length: dim }, (_, i) => Math.cos(i * 0.9) * 0.6);
    const ab = new Float32Array(2 * dim);
    ab.set(a);
    ab.set(b, dim);
    const ba = new Float32Array(2 * dim);
    ba.set(b);
    ba.set(a, dim);
    const [x, y] = await this.runHead([ab, ba], 2, dim);
    let dot = 0;
    for (let i = 0; i < x.length; i++) dot += x[i] * y[i];
    return dot > 0.999;
  }

  async encodePixels(batch: RgbImage[], options: EncodeOptions = {}): Promise<ImageEncoding[]> {
    const results: ImageEncoding[] = [];
    for (let start = 0; start < batch.length; start += this.maxBatch) {
      results.push(...(await this.run(batch.slice(start, start + this.maxBatch), options)));
    }
    return results;
  }

  private async run(batch: RgbImage[], options: EncodeOptions): Promise<ImageEncoding[]> {
    const tokens = options.tokens === true;
    const tokenEmbeds = options.tokenEmbeds === true;
    const pixels = pixelTensor(batch, this.preprocess);
    const input = this.float16Input
      ? new ort.Tensor('float16', float32ToFloat16(pixels.data), pixels.dims)
      : new ort.Tensor('float32', pixels.data, pixels.dims);
    if (tokens && !this.session.outputNames.includes('last_hidden_state')) {
      throw new Error('this vision model has no "last_hidden_state" output, so it cannot give patch tokens');
    }
    if (tokenEmbeds && !this.hasTokenEmbeds) throw new Error(`vision model ${this.info.model} has no per-token head (${tokenEmbedsOutput})`);
    const fetches = ['image_embeds', ...(tokens ? ['last_hidden_state'] : []), ...(tokenEmbeds ? [tokenEmbedsOutput, headTokensOutput] : [])];
    const outputs = await this.session.run({ pixel_values: input }, fetches);
    const embeds = floatData(outputs.image_embeds);
    const dim = outputs.image_embeds.dims[1];
    const hidden = tokens ? outputs.last_hidden_state : undefined;
    const hiddenData = hidden ? floatData(hidden) : undefined;
    const perToken = tokenEmbeds ? outputs[tokenEmbedsOutput] : undefined;
    const perTokenData = perToken ? floatData(perToken) : undefined;
    const headTokens = tokenEmbeds ? outputs[headTokensOutput] : undefined;
    const headTokensData = headTokens ? floatData(headTokens) : undefined;
    return batch.map((_, i) => {
      const result: ImageEncoding = { embedding: normalizedRow(embeds, i, dim) };
      if (hidden && hiddenData) {
        const [, count, width] = hidden.dims;
        result.tokens = { data: hiddenData.slice(i * count * width, (i + 1) * count * width), count, dim: width };
      }
      if (perToken && perTokenData) {
        const [rows, width] = perToken.dims;
        const count = rows / batch.length;
        result.tokenEmbeds = { data: perTokenData.slice(i * count * width, (i + 1) * count * width), count, dim: width };
      }
      if (headTokens && headTokensData) {
        const [, count, width] = headTokens.dims;
        result.headTokens = { data: headTokensData.slice(i * count * width, (i + 1) * count * width), count, dim: width };
      }
      return result;
    });
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
