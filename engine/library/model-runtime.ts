// The model as the library uses it: decoding, resizing to the model's input and both encoders, loaded
// together. The one place that knows the encoders' module layout.
import type { Box, EncoderInfo, ExecutionProvider, RgbImage } from '../types.ts';
import { decodeImage, readImageSize } from '../images/decode.ts';
import { prepareForModel } from '../images/prepare.ts';
import { loadEncoders, type LoadEncodersOptions } from '../encoders/load-encoders.ts';

export interface ModelRuntime {
  readonly info: EncoderInfo;
  /** Decodes encoded image bytes (EXIF-rotated RGB); throws ImageDecodeError for bad files. */
  decode(bytes: Buffer, options?: { maxPixels?: number }): Promise<RgbImage>;
  /** Width and height (EXIF-rotated) from the header; throws for bad files and decompression bombs. */
  imageSize(bytes: Buffer, options?: { maxPixels?: number }): Promise<{ width: number; height: number }>;
  /** The model's input pixels of an image (encoded bytes or decoded pixels), or of a box of it. */
  prepare(source: Buffer | RgbImage, box?: Box, options?: { maxPixels?: number }): Promise<RgbImage>;
  /** L2-normalised embeddings of prepared images. */
  encodeImages(prepared: RgbImage[]): Promise<Float32Array[]>;
  encodeTexts(texts: string[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

/** Weight variant and threads of the encoders (defaults: fp32, ONNX Runtime's thread count, no spinning). */
export type RuntimeOptions = Pick<LoadEncodersOptions, 'dtype' | 'threads' | 'spinning'>;

export async function loadModelRuntime(model: string, provider: ExecutionProvider, options: RuntimeOptions = {}): Promise<ModelRuntime> {
  const encoders = await loadEncoders(model, { provider, ...options });
  const { image, text } = encoders;
  return {
    info: image.info,
    decode: (bytes, options) => decodeImage(bytes, options),
    imageSize: (bytes, options) => readImageSize(bytes, options),
    prepare: (source, box, options) => prepareForModel(source, image.preprocess, box, options),
    encodeImages: async (batch) => (await image.encodePixels(batch)).map((e) => e.embedding),
    encodeTexts: (texts) => text.encodeTexts(texts),
    dispose: async () => {
      await image.dispose();
      await text.dispose();
    },
  };
}
