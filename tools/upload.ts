// Decodes an image uploaded as base64 (query by example) with limits checked before the pixels are
// allocated: the encoded size first, then the header's pixel count, then the decode itself.
import type { RgbImage } from '../engine/types.ts';
import { decodeUntrustedImage } from '../engine/images/decode-untrusted.ts';
import { ToolError } from './errors.ts';

export interface UploadLimits {
  /** Largest decoded file, in bytes. */
  maxBytes: number;
  /** Largest width × height. */
  maxPixels: number;
}

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
  return decodeUntrustedImage(bytes, limits.maxPixels, (problem) => {
    switch (problem.kind) {
      case 'unreadable':
        return badUpload('is not a readable image: send a JPEG, PNG or WebP file');
      case 'format':
        return badUpload(`format ${problem.format} is not accepted: send a JPEG, PNG or WebP file`);
      case 'no-size':
        return badUpload('the image has no size');
      case 'too-many-pixels':
        return badUpload(`the image is ${problem.width}x${problem.height} pixels; at most ${problem.maxPixels} pixels are accepted, send a smaller image`);
      case 'undecodable':
        return badUpload(`the image could not be decoded (${problem.detail})`);
    }
  });
}
