// Marks: the vectors of boxed regions the user judged. A mark is the embedding of the box, made the
// way the region store's regions are (engine/regions/region-embedding.ts: pooled tokens or a crop of
// the original image), the text embedding of its caption, or both (two marks with the same id).
import type { Box, ImageEncoder, TextEncoder } from '../types.ts';
import { prepareForModel } from '../images/prepare.ts';
import { embedBoxes, encodeImageTokens, type BoxEncoder, type BoxSource, type ImageTokens, type RegionEmbed } from './region-embedding.ts';
import type { RegionMark } from './region-score.ts';

export type MarkKind = 'crop' | 'caption' | 'both';

export interface MarkInput {
  /** What the explanation calls the mark (a caption, a session's region id). */
  label: string;
  relevant: boolean;
  /** The image the box was drawn on (its prepared pixels are enough for token marks) and the box, in its pixels. */
  image?: BoxSource;
  /** The image's tokens when the caller has them (engine/regions/token-cache.ts). */
  tokens?: ImageTokens;
  box?: Box;
  /** The region's caption (needed for caption marks). */
  caption?: string;
}

/** What marks need of the model: the library's ModelRuntime fits as is; encoders through markEncoderOf. */
export interface MarkEncoder extends BoxEncoder {
  encodeTexts(texts: string[]): Promise<Float32Array[]>;
}

export function markEncoderOf(image: ImageEncoder, text: TextEncoder): MarkEncoder {
  return {
    preprocess: image.preprocess,
    prepare: (source, box) => prepareForModel(source, image.preprocess, box),
    encodeImages: async (prepared) => (await image.encodePixels(prepared)).map((e) => e.embedding),
    encodeTokenEmbeds: image.hasTokenEmbeds ? (prepared) => encodeImageTokens(image, prepared) : undefined,
    poolTokenSets: image.poolTokenSets?.bind(image),
    encodeTexts: (texts) => text.encodeTexts(texts),
  };
}

/** `embed`: how the boxes become vectors, the region store's way (configs/regions.yaml `embed`). */
export async function buildMarks(inputs: MarkInput[], kind: MarkKind, encoder: MarkEncoder, embed: RegionEmbed): Promise<RegionMark[]> {
  const marks: RegionMark[] = [];
  if (kind !== 'caption') {
    const withBox = inputs.filter((m) => m.image && m.box);
    if (kind === 'crop' && withBox.length < inputs.length) throw new Error('crop marks need the image and the box of every region');
    // The boxes of one image share its encoder pass when they are pooled from its tokens.
    const byImage = new Map<BoxSource, MarkInput[]>();
    for (const m of withBox) byImage.set(m.image as BoxSource, [...(byImage.get(m.image as BoxSource) ?? []), m]);
    const groups = [...byImage.entries()];
    const vectors = await embedBoxes(encoder, groups.map(([image, list]) => ({ image, boxes: list.map((m) => m.box as Box), tokens: list[0].tokens })), embed);
    const vectorOf = new Map(groups.flatMap(([, list], g) => list.map((m, k) => [m, vectors[g][k]] as const)));
    withBox.forEach((m) => marks.push({ label: m.label, relevant: m.relevant, vector: vectorOf.get(m) as Float32Array }));
  }
  if (kind !== 'crop') {
    const withCaption = inputs.filter((m) => m.caption);
    if (kind === 'caption' && withCaption.length < inputs.length) throw new Error('caption marks need a caption for every region');
    const vectors = withCaption.length ? await encoder.encodeTexts(withCaption.map((m) => m.caption as string)) : [];
    withCaption.forEach((m, k) => marks.push({ label: m.label, relevant: m.relevant, vector: vectors[k] }));
  }
  return marks;
}
