// Image decoding with sharp: EXIF orientation applied, any colour model to 8-bit sRGB, alpha
// flattened onto white, first frame of animations, and a pixel limit against decompression bombs.
import { stat } from 'node:fs/promises';
import sharp, { type Metadata, type Sharp } from 'sharp';
import type { RgbImage } from '../types.ts';

export type ImageDecodeFailure = 'empty' | 'truncated' | 'not-an-image' | 'too-large' | 'unreadable';

export class ImageDecodeError extends Error {
  readonly reason: ImageDecodeFailure;
  readonly source: string;

  constructor(reason: ImageDecodeFailure, source: string, detail: string) {
    super(`${source}: ${detail}`);
    this.name = 'ImageDecodeError';
    this.reason = reason;
    this.source = source;
  }
}

export interface DecodeOptions {
  /** Largest width × height accepted before decoding starts (default 100 megapixels). */
  maxPixels?: number;
}

export const defaultMaxPixels = 100_000_000;

/** How error messages name an input that is not a file. */
export function describeSource(source: string | Buffer): string {
  return typeof source === 'string' ? source : `image buffer (${source.length} bytes)`;
}

/** Rejects empty input up front: sharp's own messages for it are vague. */
export async function checkNotEmpty(source: string | Buffer): Promise<void> {
  const name = describeSource(source);
  if (typeof source !== 'string') {
    if (source.length === 0) throw new ImageDecodeError('empty', name, 'the image is empty (0 bytes)');
    return;
  }
  let size: number;
  try {
    const info = await stat(source);
    if (!info.isFile()) throw new ImageDecodeError('unreadable', name, 'not a regular file');
    size = info.size;
  } catch (err) {
    if (err instanceof ImageDecodeError) throw err;
    throw new ImageDecodeError('unreadable', name, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (size === 0) throw new ImageDecodeError('empty', name, 'the file is empty (0 bytes)');
}

/** Maps a sharp/libvips error to a decode failure with a message a user can act on. */
export function toDecodeError(err: unknown, source: string | Buffer): ImageDecodeError {
  if (err instanceof ImageDecodeError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const name = describeSource(source);
  const lower = message.toLowerCase();
  if (lower.includes('pixel limit')) {
    return new ImageDecodeError('too-large', name, 'the image has more pixels than allowed (possible decompression bomb)');
  }
  if (lower.includes('unsupported image format')) {
    return new ImageDecodeError('not-an-image', name, 'not an image in a supported format (JPEG, PNG, WebP, GIF, TIFF, AVIF)');
  }
  if (/premature end|truncated|unexpected end|end of (input|file|stream)|not enough data|read error/.test(lower)) {
    return new ImageDecodeError('truncated', name, `the image data is truncated (${firstLine(message)})`);
  }
  // libvips keeps one error buffer for all its threads: when two decodes fail at the same moment one
  // of them may get no message ("Unknown error"). A JPEG or PNG cut short is then told by its bytes.
  if (Buffer.isBuffer(source) && lacksEndMarker(source)) {
    return new ImageDecodeError('truncated', name, `the image data is truncated (no end marker; ${firstLine(message)})`);
  }
  return new ImageDecodeError('unreadable', name, `cannot decode the image (${firstLine(message)})`);
}

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const pngEnd = Buffer.from('IEND');

/** A JPEG without its end-of-image marker, or a PNG without its IEND chunk. */
function lacksEndMarker(bytes: Buffer): boolean {
  const tail = bytes.subarray(Math.max(0, bytes.length - 16));
  if (bytes.length > 2 && bytes[0] === 0xff && bytes[1] === 0xd8) return !tail.includes(Buffer.from([0xff, 0xd9]));
  if (bytes.subarray(0, 8).equals(pngSignature)) return !tail.includes(pngEnd);
  return false;
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

/**
 * A sharp pipeline that yields oriented 8-bit sRGB without alpha. `failOn: 'truncated'` makes
 * libvips report cut-off files instead of filling the missing rows with grey, while tolerating the
 * harmless warnings many camera JPEGs carry.
 */
export function openImage(source: string | Buffer, options: DecodeOptions = {}): Sharp {
  return sharp(source, {
    failOn: 'truncated',
    limitInputPixels: options.maxPixels ?? defaultMaxPixels,
    pages: 1,
  })
    .autoOrient()
    .flatten({ background: { r: 255, g: 255, b: 255 } })
    .toColourspace('srgb');
}

/** Runs a pipeline ending in raw RGB and returns it as an RgbImage. */
export async function toRgbImage(pipeline: Sharp, source: string | Buffer): Promise<RgbImage> {
  try {
    const { data, info } = await pipeline.removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
      throw new ImageDecodeError('unreadable', describeSource(source), `decoded to ${info.channels} channels instead of 3`);
    }
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch (err) {
    throw toDecodeError(err, source);
  }
}

/** Decodes a file or an in-memory image to RGB pixels (EXIF-rotated). Throws ImageDecodeError. */
export async function decodeImage(source: string | Buffer, options: DecodeOptions = {}): Promise<RgbImage> {
  await checkNotEmpty(source);
  return toRgbImage(openImage(source, options), source);
}

export interface ImageSize {
  /** Width and height after EXIF orientation. */
  width: number;
  height: number;
  format: string;
}

/** Reads the size from the header only (no pixel decoding), orientation applied. */
export async function readImageSize(source: string | Buffer, options: DecodeOptions = {}): Promise<ImageSize> {
  await checkNotEmpty(source);
  let meta: Metadata;
  try {
    meta = await sharp(source, { limitInputPixels: options.maxPixels ?? defaultMaxPixels }).metadata();
  } catch (err) {
    throw toDecodeError(err, source);
  }
  const name = describeSource(source);
  if (!meta.width || !meta.height || !meta.format) {
    throw new ImageDecodeError('unreadable', name, 'the image header has no size');
  }
  const limit = options.maxPixels ?? defaultMaxPixels;
  if (meta.width * meta.height > limit) {
    throw new ImageDecodeError('too-large', name, 'the image has more pixels than allowed (possible decompression bomb)');
  }
  // Orientations 5-8 turn the image by 90 degrees.
  const swap = (meta.orientation ?? 1) >= 5;
  return { width: swap ? meta.height : meta.width, height: swap ? meta.width : meta.height, format: meta.format };
}
