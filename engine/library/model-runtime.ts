// The model as the library uses it: decoding, resizing to the model's input and both encoders, loaded
// together. The one place that knows the encoders' module layout.
import type { Box, EncoderInfo, ExecutionProvider, PreprocessSpec, RgbImage, TokenMatrix } from '../types.ts';
import { AfsModel } from '../feedback/afs/afs-model.ts';
import { decodeImage, readImageSize } from '../images/decode.ts';
import { prepareForModel, type PrepareOptions } from '../images/prepare.ts';
import { loadEncoders, type LoadEncodersOptions } from '../encoders/load-encoders.ts';
import { encodeImageTokens, type ImageTokens } from '../regions/region-embedding.ts';

export interface ModelRuntime {
  readonly info: EncoderInfo;
  /** How the model resizes and crops its input (maps boxes to the model's patch cells). */
  readonly preprocess: PreprocessSpec;
  /** Decodes encoded image bytes (EXIF-rotated RGB); throws ImageDecodeError for bad files. */
  decode(bytes: Buffer, options?: { maxPixels?: number }): Promise<RgbImage>;
  /** Width and height (EXIF-rotated) from the header; throws for bad files and decompression bombs. */
  imageSize(bytes: Buffer, options?: { maxPixels?: number }): Promise<{ width: number; height: number }>;
  /** The model's input pixels of an image (encoded bytes or decoded pixels), or of a box of it. */
  prepare(source: Buffer | RgbImage, box?: Box, options?: PrepareOptions): Promise<RgbImage>;
  /** L2-normalised embeddings of prepared images. */
  encodeImages(prepared: RgbImage[]): Promise<Float32Array[]>;
  /** The tokens of prepared images (region vectors), when the model's graph has a per-token head. */
  encodeTokenEmbeds?(prepared: RgbImage[]): Promise<ImageTokens[]>;
  /** The embeddings and the tokens of prepared images from one encoder pass, likewise. */
  encodeImagesWithTokens?(prepared: RgbImage[]): Promise<{ embedding: Float32Array; tokens: ImageTokens }[]>;
  poolTokenSets?(sets: TokenMatrix[]): Promise<Float32Array[] | undefined>;
  encodeTexts(texts: string[]): Promise<Float32Array[]>;
  /** Patch tokens (last_hidden_state) of prepared images; throws when the model gives none. */
  encodeImageTokens(prepared: RgbImage[]): Promise<TokenMatrix[]>;
  /** Text tokens (last_hidden_state of the real tokens); throws when the model gives none. */
  encodeTextTokens(texts: string[]): Promise<TokenMatrix[]>;
  /** The model folder's attentive feedback summarizer, loaded and checked once (engine/feedback/afs). */
  afs(): Promise<AfsModel>;
  dispose(): Promise<void>;
}

/** Weight variant and threads of the encoders (defaults: fp32, ONNX Runtime's thread count, no spinning). */
export type RuntimeOptions = Pick<LoadEncodersOptions, 'dtype' | 'threads' | 'spinning'>;

export async function loadModelRuntime(model: string, provider: ExecutionProvider, options: RuntimeOptions = {}): Promise<ModelRuntime> {
  const encoders = await loadEncoders(model, { provider, ...options });
  const { image, text } = encoders;
  let afs: Promise<AfsModel> | undefined;
  return {
    info: image.info,
    preprocess: image.preprocess,
    decode: (bytes, options) => decodeImage(bytes, options),
    imageSize: (bytes, options) => readImageSize(bytes, options),
    prepare: (source, box, options) => prepareForModel(source, image.preprocess, box, options),
    encodeImages: async (batch) => (await image.encodePixels(batch)).map((e) => e.embedding),
    encodeTokenEmbeds: image.hasTokenEmbeds ? (batch) => encodeImageTokens(image, batch) : undefined,
    encodeImagesWithTokens: image.hasTokenEmbeds
      ? async (batch) =>
          (await image.encodePixels(batch, { tokenEmbeds: true })).map((e) => ({ embedding: e.embedding, tokens: { tokenEmbeds: e.tokenEmbeds as TokenMatrix, headTokens: e.headTokens } }))
      : undefined,
    poolTokenSets: (sets) => image.poolTokenSets(sets),
    encodeTexts: (texts) => text.encodeTexts(texts),
    encodeImageTokens: async (batch) =>
      (await image.encodePixels(batch, { tokens: true })).map((e) => {
        if (!e.tokens) throw new Error(`model ${image.info.model} gives no patch tokens (last_hidden_state)`);
        return e.tokens;
      }),
    encodeTextTokens: async (texts) => (await text.encodeTextTokens(texts)).map((e) => e.tokens),
    afs: () => {
      afs ??= AfsModel.load(encoders.info.folder, { image: image.givesTokens, text: text.givesTokens }, { provider: encoders.info.provider });
      // A failed load is not cached: the user may train the AFS and ask again.
      afs.catch(() => (afs = undefined));
      return afs;
    },
    dispose: async () => {
      if (afs) await (await afs.catch(() => undefined))?.dispose();
      await image.dispose();
      await text.dispose();
    },
  };
}
