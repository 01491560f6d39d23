// A picture returned by a generator server is outside input: it is checked as an upload is
// (tools/upload.ts) — size in bytes, format, pixel count from the header, then a strict decode —
// before its pixels are allocated, and refused with a clear error otherwise.
import sharp, { type Metadata } from 'sharp';
import type { RgbImage } from '../types.ts';
import { GenerationError } from './errors.ts';

export interface PictureLimits {
  maxBytes: number;
  maxPixels: number;
}

const acceptedFormats = new Set(['jpeg', 'png', 'webp']);

export async function decodeGeneratedPicture(bytes: Uint8Array, limits: PictureLimits, source: string): Promise<RgbImage> {
  const refuse = (why: string) => new GenerationError(`generator at ${source} returned ${why}; the picture is refused`, false);
  if (bytes.byteLength === 0) throw refuse('an empty image');
  if (bytes.byteLength > limits.maxBytes) throw refuse(`${bytes.byteLength} bytes (at most ${limits.maxBytes} are accepted)`);
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw refuse('bytes that are not a readable image');
  }
  if (!meta.format || !acceptedFormats.has(meta.format)) throw refuse(`an image in format ${meta.format ?? 'unknown'} (JPEG, PNG or WebP are accepted)`);
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width <= 0 || height <= 0) throw refuse('an image with no size');
  if (width * height > limits.maxPixels) throw refuse(`a ${width}x${height} image (at most ${limits.maxPixels} pixels are accepted)`);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error' })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch (err) {
    throw refuse(`an image that could not be decoded (${err instanceof Error ? err.message : String(err)})`);
  }
}
