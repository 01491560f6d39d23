// Decodes an image uploaded as base64 (query by example) with limits checked before the pixels are
// allocated: the encoded size first, then the header's pixel count, then the decode itself.
import sharp, { type Metadata } from 'sharp';
import type { RgbImage } from '../engine/types.ts';
import { ToolError } from './errors.ts';

export interface UploadLimits {
  /** Largest decoded file, in bytes. */
  maxBytes: number;
  /** Largest width × height. */
  maxPixels: number;
}

const acceptedFormats = new Set(['jpeg', 'png', 'webp']);

function badUpload(message: string): ToolError {
  return new ToolError('bad-upload', `imageBase64: ${message}`);
}

/** Strips a data: URL prefix and whitespace, and checks the alphabet (standard or URL-safe base64). */
function cleanBase64(input: string): string {
  const withoutPrefix = input.replace(/^data:image\/[a-z+.-]+;base64,/i, '');
  const compact = withoutPrefix.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (compact.length === 0) throw badUpload('is empty');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw badUpload('is not base64: send the bytes of a JPEG, PNG or WebP file encoded as base64');
  }
  return compact;
}

export async function decodeUpload(base64: string, limits: UploadLimits): Promise<RgbImage> {
  const compact = cleanBase64(base64);
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  const decodedBytes = Math.floor((compact.length * 3) / 4) - padding;
  if (decodedBytes > limits.maxBytes) {
    throw badUpload(`the file is ${decodedBytes} bytes; at most ${limits.maxBytes} are accepted, send a smaller image`);
  }
  const bytes = Buffer.from(compact, 'base64');
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw badUpload('is not a readable image: send a JPEG, PNG or WebP file');
  }
  if (!meta.format || !acceptedFormats.has(meta.format)) {
    throw badUpload(`format ${meta.format ?? 'unknown'} is not accepted: send a JPEG, PNG or WebP file`);
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width <= 0 || height <= 0) throw badUpload('the image has no size');
  if (width * height > limits.maxPixels) {
    throw badUpload(`the image is ${width}x${height} pixels; at most ${limits.maxPixels} pixels are accepted, send a smaller image`);
  }
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
    throw badUpload(`the image could not be decoded (${err instanceof Error ? err.message : String(err)})`);
  }
}
