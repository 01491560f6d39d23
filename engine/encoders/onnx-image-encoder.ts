// ImageEncoder over onnx/vision_model*.onnx: pixel_values [B,3,H,W] → image_embeds [B,D]
// (+ last_hidden_state [B,T,W] for patch tokens).
import * as ort from 'onnxruntime-node';
import type { EncoderInfo, ImageEncoder, ImageEncoding, PreprocessSpec, RgbImage } from '../types.ts';
import { normalizedRow } from './normalize.ts';
import { floatData, float32ToFloat16, inputType } from './onnx-session.ts';
import { pixelTensor } from './pixel-tensor.ts';

export class OnnxImageEncoder implements ImageEncoder {
  readonly info: EncoderInfo;
  readonly preprocess: PreprocessSpec;
  readonly givesTokens: boolean;
  private readonly session: ort.InferenceSession;
  private readonly maxBatch: number;
  private readonly float16Input: boolean;

  constructor(session: ort.InferenceSession, info: EncoderInfo, preprocess: PreprocessSpec, maxBatch = 32) {
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
  }

  async encodePixels(batch: RgbImage[], options: { tokens?: boolean } = {}): Promise<ImageEncoding[]> {
    const results: ImageEncoding[] = [];
    for (let start = 0; start < batch.length; start += this.maxBatch) {
      results.push(...(await this.run(batch.slice(start, start + this.maxBatch), options.tokens === true)));
    }
    return results;
  }

  private async run(batch: RgbImage[], tokens: boolean): Promise<ImageEncoding[]> {
    const pixels = pixelTensor(batch, this.preprocess);
    const input = this.float16Input
      ? new ort.Tensor('float16', float32ToFloat16(pixels.data), pixels.dims)
      : new ort.Tensor('float32', pixels.data, pixels.dims);
    if (tokens && !this.session.outputNames.includes('last_hidden_state')) {
      throw new Error('this vision model has no "last_hidden_state" output, so it cannot give patch tokens');
    }
    const outputs = await this.session.run({ pixel_values: input }, tokens ? ['image_embeds', 'last_hidden_state'] : ['image_embeds']);
    const embeds = floatData(outputs.image_embeds);
    const dim = outputs.image_embeds.dims[1];
    const hidden = tokens ? outputs.last_hidden_state : undefined;
    const hiddenData = hidden ? floatData(hidden) : undefined;
    return batch.map((_, i) => {
      const result: ImageEncoding = { embedding: normalizedRow(embeds, i, dim) };
      if (hidden && hiddenData) {
        const [, count, width] = hidden.dims;
        result.tokens = { data: hiddenData.slice(i * count * width, (i + 1) * count * width), count, dim: width };
      }
      return result;
    });
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
