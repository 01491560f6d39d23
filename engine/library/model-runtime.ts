// The model as the library uses it: decoding, resizing to the model's input and both encoders, loaded
// together. The one place that knows the encoders' module layout.
import type { Box, EncoderInfo, ExecutionProvider, PreprocessSpec, RgbImage, TokenMatrix } from '../types.ts';
import { decodeImage, readImageSize } from '../images/decode.ts';
import { prepareForModel } from '../images/prepare.ts';
import { loadEncoders, type LoadEncodersOptions } from '../encoders/load-encoders.ts';
import { encodeImageTokens, type ImageTokens } from '../regions/region-embedding.ts';

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
  readonly preprocess: PreprocessSpec;
  /** The tokens of prepared images (region vectors), when the model's graph has a per-token head. */
  encodeTokenEmbeds?(prepared: RgbImage[]): Promise<ImageTokens[]>;
  /** The embeddings and the tokens of prepared images from one encoder pass, likewise. */
  encodeImagesWithTokens?(prepared: RgbImage[]): Promise<{ embedding: Float32Array; tokens: ImageTokens }[]>;
  poolTokenSets?(sets: TokenMatrix[]): Promise<Float32Array[] | undefined>;
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
    preprocess: image.preprocess,
    encodeTokenEmbeds: image.hasTokenEmbeds ? (batch) => encodeImageTokens(image, batch) : undefined,
    encodeImagesWithTokens: image.hasTokenEmbeds
      ? async (batch) =>
          (await image.encodePixels(batch, { tokenEmbeds: true })).map((e) => ({ embedding: e.embedding, tokens: { tokenEmbeds: e.tokenEmbeds as TokenMatrix, headTokens: e.headTokens } }))
      : undefined,
    poolTokenSets: (sets) => image.poolTokenSets(sets),
    encodeTexts: (texts) => text.encodeTexts(texts),
    dispose: async () => {
      await image.dispose();
      await text.dispose();
    },
  };
}
