// Decodes image bytes from outside (an upload, a generator server's answer) with the checks done before
// the pixels are allocated: a readable header, JPEG/PNG/WebP, a size, the pixel count; then a strict
// decode (EXIF-rotated, flattened on white, sRGB). Each caller words the refusal for its own user.
import sharp, { type Metadata } from 'sharp';
import type { RgbImage } from '../types.ts';

export type UntrustedImageProblem =
  | { kind: 'unreadable' }
  | { kind: 'format'; format: string }
  | { kind: 'no-size' }
  | { kind: 'too-many-pixels'; width: number; height: number; maxPixels: number }
  | { kind: 'undecodable'; detail: string };

const acceptedFormats = new Set(['jpeg', 'png', 'webp']);

export async function decodeUntrustedImage(bytes: Buffer, maxPixels: number, refuse: (problem: UntrustedImageProblem) => Error): Promise<RgbImage> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw refuse({ kind: 'unreadable' });
  }
  if (!meta.format || !acceptedFormats.has(meta.format)) throw refuse({ kind: 'format', format: meta.format ?? 'unknown' });
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width <= 0 || height <= 0) throw refuse({ kind: 'no-size' });
  if (width * height > maxPixels) throw refuse({ kind: 'too-many-pixels', width, height, maxPixels });
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
      .rotate()
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
  } catch (err) {
    throw refuse({ kind: 'undecodable', detail: err instanceof Error ? err.message : String(err) });
  }
}
