// Marks: the vectors of boxed regions the user judged. A mark is the crop embedding of the box (cut
// from the original image), the text embedding of its caption, or both (two marks with the same id).
import type { Box, ImageEncoder, RgbImage, TextEncoder } from '../types.ts';
import { prepareForModel } from '../images/prepare.ts';
import type { Mark } from './rerank.ts';

export type MarkKind = 'crop' | 'caption' | 'both';

export interface MarkInput {
  id: string;
  relevant: boolean;
  /** The image the box was drawn on and the box, in its pixels (needed for crop marks). */
  image?: RgbImage;
  box?: Box;
  /** The region's caption (needed for caption marks). */
  caption?: string;
}

export async function buildMarks(inputs: MarkInput[], kind: MarkKind, encoders: { image: ImageEncoder; text: TextEncoder }): Promise<Mark[]> {
  const marks: Mark[] = [];
  if (kind !== 'caption') {
    const withBox = inputs.filter((m) => m.image && m.box);
    if (kind === 'crop' && withBox.length < inputs.length) throw new Error('crop marks need the image and the box of every region');
    const pixels = await Promise.all(withBox.map((m) => prepareForModel(m.image as RgbImage, encoders.image.preprocess, m.box)));
    const encoded = pixels.length ? await encoders.image.encodePixels(pixels) : [];
    withBox.forEach((m, k) => marks.push({ id: m.id, relevant: m.relevant, vector: encoded[k].embedding }));
  }
  if (kind !== 'crop') {
    const withCaption = inputs.filter((m) => m.caption);
    if (kind === 'caption' && withCaption.length < inputs.length) throw new Error('caption marks need a caption for every region');
    const vectors = withCaption.length ? await encoders.text.encodeTexts(withCaption.map((m) => m.caption as string)) : [];
    withCaption.forEach((m, k) => marks.push({ id: m.id, relevant: m.relevant, vector: vectors[k] }));
  }
  return marks;
}
