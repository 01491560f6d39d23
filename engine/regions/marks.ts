// Marks: the vectors of boxed regions the user judged. A mark is the crop embedding of the box (cut
// from the original image), the text embedding of its caption, or both (two marks with the same id).
import type { Box, ImageEncoder, RgbImage, TextEncoder } from '../types.ts';
import { prepareForModel } from '../images/prepare.ts';
import type { RegionMark } from './region-score.ts';

export type MarkKind = 'crop' | 'caption' | 'both';

export interface MarkInput {
  /** What the explanation calls the mark (a caption, a session's region id). */
  label: string;
  relevant: boolean;
  /** The image the box was drawn on and the box, in its pixels (needed for crop marks). */
  image?: RgbImage;
  box?: Box;
  /** The region's caption (needed for caption marks). */
  caption?: string;
}

/** What marks need of the model: the library's ModelRuntime fits as is; encoders through markEncoderOf. */
export interface MarkEncoder {
  prepare(image: RgbImage, box?: Box): Promise<RgbImage>;
  encodeImages(prepared: RgbImage[]): Promise<Float32Array[]>;
  encodeTexts(texts: string[]): Promise<Float32Array[]>;
}

export function markEncoderOf(image: ImageEncoder, text: TextEncoder): MarkEncoder {
  return {
    prepare: (source, box) => prepareForModel(source, image.preprocess, box),
    encodeImages: async (prepared) => (await image.encodePixels(prepared)).map((e) => e.embedding),
    encodeTexts: (texts) => text.encodeTexts(texts),
  };
}

export async function buildMarks(inputs: MarkInput[], kind: MarkKind, encoder: MarkEncoder): Promise<RegionMark[]> {
  const marks: RegionMark[] = [];
  if (kind !== 'caption') {
    const withBox = inputs.filter((m) => m.image && m.box);
    if (kind === 'crop' && withBox.length < inputs.length) throw new Error('crop marks need the image and the box of every region');
    const pixels = await Promise.all(withBox.map((m) => encoder.prepare(m.image as RgbImage, m.box)));
    const encoded = pixels.length ? await encoder.encodeImages(pixels) : [];
    withBox.forEach((m, k) => marks.push({ label: m.label, relevant: m.relevant, vector: encoded[k] }));
  }
  if (kind !== 'crop') {
    const withCaption = inputs.filter((m) => m.caption);
    if (kind === 'caption' && withCaption.length < inputs.length) throw new Error('caption marks need a caption for every region');
    const vectors = withCaption.length ? await encoder.encodeTexts(withCaption.map((m) => m.caption as string)) : [];
    withCaption.forEach((m, k) => marks.push({ label: m.label, relevant: m.relevant, vector: vectors[k] }));
  }
  return marks;
}
