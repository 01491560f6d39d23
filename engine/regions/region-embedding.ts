// How boxes of an image become vectors — the one path for the region store and for marks, so that a
// mark and the regions it is matched against are embedded alike:
//   tokens  pooled from the image's projected tokens (one encoder pass per image, none per box;
//           engine/regions/token-pooling.ts)
//   crops   each box cut from the original image and encoded on its own (one pass per box)
// `tokens` falls back to `crops` for a model whose graph has no per-token head.
import type { Box, ImageEncoder, PreprocessSpec, RgbImage, TokenMatrix } from '../types.ts';
import { log } from '../log.ts';
import { cellSets, headCellRows, poolBoxes, tokenCells } from './token-pooling.ts';

export type RegionEmbed = 'tokens' | 'crops';

/** What box embedding needs of the model: the library's ModelRuntime and regionEncoderOf fit. */
export interface BoxEncoder {
  /** The model's input pixels of an image, or of a box of it cut from the original. */
  prepare(image: RgbImage, box?: Box): Promise<RgbImage>;
  /** L2-normalised embeddings of prepared images. */
  encodeImages(prepared: RgbImage[]): Promise<Float32Array[]>;
  readonly preprocess?: PreprocessSpec;
  /** Every token of prepared images projected into the embedding space, when the model allows it. */
  encodeTokenEmbeds?(prepared: RgbImage[]): Promise<ImageTokens[]>;
  /** The model's own pooling of token sets, or undefined when its head does not pool sets. */
  poolTokenSets?(sets: TokenMatrix[]): Promise<Float32Array[] | undefined>;
}

/** An image's tokens from one encoder pass: projected one by one, and as the head reads them. */
export interface ImageTokens {
  tokenEmbeds: TokenMatrix;
  headTokens?: TokenMatrix;
}

/**
 * An image known only by its size, and the model's input pixels of it unless its tokens are at hand:
 * enough for `tokens` (a library image read in one decode-and-resize, engine/library/library.ts
 * loadPreparedImage), not for `crops`.
 */
export interface PreparedImage {
  width: number;
  height: number;
  prepared?: RgbImage;
}

/** The original pixels of an image, or its size with its prepared pixels. */
export type BoxSource = RgbImage | PreparedImage;

function isPrepared(image: BoxSource): image is PreparedImage {
  return !('data' in image);
}

export interface BoxesOfImage {
  image: BoxSource;
  boxes: readonly Box[];
  /** The image's tokens when the caller already has them (from the image pass). */
  tokens?: ImageTokens;
}

/** An ImageEncoder's tokens of prepared images (it must have hasTokenEmbeds). */
export async function encodeImageTokens(encoder: ImageEncoder, prepared: RgbImage[]): Promise<ImageTokens[]> {
  return (await encoder.encodePixels(prepared, { tokenEmbeds: true })).map((e) => ({ tokenEmbeds: e.tokenEmbeds as TokenMatrix, headTokens: e.headTokens }));
}

const CROP_BATCH = 64;
const TOKEN_BATCH = 32;
let warnedFallback = false;

/** The mode that will be used with this encoder (tokens needs the per-token head). */
export function effectiveEmbed(encoder: BoxEncoder, embed: RegionEmbed): RegionEmbed {
  if (embed === 'tokens' && !(encoder.encodeTokenEmbeds && encoder.preprocess)) {
    if (!warnedFallback) log.info('regions: the model has no per-token head, so regions and marks are embedded as crops');
    warnedFallback = true;
    return 'crops';
  }
  return embed;
}

/** Unit vectors of each item's boxes, in order. */
export async function embedBoxes(encoder: BoxEncoder, items: readonly BoxesOfImage[], embed: RegionEmbed): Promise<Float32Array[][]> {
  return effectiveEmbed(encoder, embed) === 'tokens' ? pooled(encoder, items) : crops(encoder, items);
}

/** Each image's tokens: those given, the others from one encoder pass per image (batched). */
export async function tokensOf(encoder: BoxEncoder, items: readonly { image: BoxSource; tokens?: ImageTokens }[]): Promise<ImageTokens[]> {
  const encode = encoder.encodeTokenEmbeds;
  if (!encode) throw new Error('the model has no per-token head');
  const tokens = items.map((item) => item.tokens);
  const needed = items.map((item, k) => (item.tokens ? -1 : k)).filter((k) => k >= 0);
  for (let start = 0; start < needed.length; start += TOKEN_BATCH) {
    const chunk = needed.slice(start, start + TOKEN_BATCH);
    const pixels = await Promise.all(chunk.map((k) => prepared(encoder, items[k].image)));
    const encoded = await encode(pixels);
    chunk.forEach((k, j) => (tokens[k] = encoded[j]));
  }
  return tokens as ImageTokens[];
}

function prepared(encoder: BoxEncoder, image: BoxSource): Promise<RgbImage> {
  if (!isPrepared(image)) return encoder.prepare(image);
  if (!image.prepared) throw new Error('an image given by its size alone needs its tokens');
  return Promise.resolve(image.prepared);
}

async function pooled(encoder: BoxEncoder, items: readonly BoxesOfImage[]): Promise<Float32Array[][]> {
  const spec = encoder.preprocess as PreprocessSpec;
  const withBoxes = items.filter((item) => item.boxes.length > 0);
  const found = await tokensOf(encoder, withBoxes);
  const tokens = items.map((item) => (item.boxes.length ? found[withBoxes.indexOf(item)] : undefined));
  const cells = items.map((item, k) => (item.boxes.length ? tokenCells((tokens[k] as ImageTokens).tokenEmbeds, item.image.width, item.image.height, spec) : undefined));
  // The model's own pooling of each box's cells, when its head pools sets and the tokens came with it.
  const heads = tokens.map((t) => t?.headTokens);
  if (encoder.poolTokenSets && items.every((item, k) => item.boxes.length === 0 || heads[k])) {
    const sets = items.flatMap((item, k) => (cells[k] ? cellSets(cells[k], headCellRows(heads[k] as TokenMatrix), item.boxes) : []));
    const vectors = await encoder.poolTokenSets(sets);
    if (vectors) {
      let next = 0;
      return items.map((item) => item.boxes.map(() => vectors[next++]));
    }
  }
  return items.map((item, k) => (cells[k] ? poolBoxes(cells[k], item.boxes) : []));
}

async function crops(encoder: BoxEncoder, items: readonly BoxesOfImage[]): Promise<Float32Array[][]> {
  const jobs = items.flatMap((item) => {
    const image = item.image;
    if (isPrepared(image)) throw new Error('crop regions need the original pixels of the image, not its prepared pixels');
    return item.boxes.map((box) => ({ image, box }));
  });
  const vectors: Float32Array[] = [];
  for (let start = 0; start < jobs.length; start += CROP_BATCH) {
    const chunk = jobs.slice(start, start + CROP_BATCH);
    const pixels = await Promise.all(chunk.map((j) => encoder.prepare(j.image, j.box)));
    vectors.push(...(await encoder.encodeImages(pixels)));
  }
  let next = 0;
  return items.map((item) => item.boxes.map(() => vectors[next++]));
}
