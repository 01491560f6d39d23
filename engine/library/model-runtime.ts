// The model as the library uses it: decoding, resizing to the model's input and both encoders, loaded
// together. The one place that knows the encoders' module layout.
import type { Box, EncoderInfo, ExecutionProvider, RgbImage } from '../types.ts';
import { decodeImage } from '../images/decode.ts';
import { prepareForModel } from '../images/prepare.ts';
import { loadEncoders } from '../encoders/load-encoders.ts';

export interface ModelRuntime {
  readonly info: EncoderInfo;
  /** Decodes encoded image bytes (EXIF-rotated RGB); throws ImageDecodeError for bad files. */
  decode(bytes: Uint8Array, options?: { maxPixels?: number }): Promise<RgbImage>;
  /** Crops `box` (when given) and resizes to the model's input. */
  prepare(image: RgbImage, box?: Box): Promise<RgbImage>;
  /** L2-normalised embeddings of prepared images. */
  encodeImages(prepared: RgbImage[]): Promise<Float32Array[]>;
  encodeTexts(texts: string[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

export async function loadModelRuntime(model: string, provider: ExecutionProvider): Promise<ModelRuntime> {
  const encoders = await loadEncoders(model, { provider });
  const { image, text } = encoders;
  return {
    info: image.info,
    decode: (bytes, options) => decodeImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), options),
    prepare: async (img, box) => prepareForModel(img, image.preprocess, box),
    encodeImages: async (batch) => (await image.encodePixels(batch)).map((e) => e.embedding),
    encodeTexts: (texts) => text.encodeTexts(texts),
    dispose: async () => {
      await image.dispose();
      await text.dispose();
    },
  };
}
