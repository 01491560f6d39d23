// A picture returned by a generator server is outside input: its size in bytes is checked here, then
// it is decoded as an upload is (engine/images/decode-untrusted.ts), and refused with a clear error.
import { decodeUntrustedImage } from '../images/decode-untrusted.ts';
import type { RgbImage } from '../types.ts';
import { GenerationError } from './errors.ts';

export interface PictureLimits {
  maxBytes: number;
  maxPixels: number;
}

export async function decodeGeneratedPicture(bytes: Uint8Array, limits: PictureLimits, source: string): Promise<RgbImage> {
  const refuse = (why: string) => new GenerationError(`generator at ${source} returned ${why}; the picture is refused`, false);
  if (bytes.byteLength === 0) throw refuse('an empty image');
  if (bytes.byteLength > limits.maxBytes) throw refuse(`${bytes.byteLength} bytes (at most ${limits.maxBytes} are accepted)`);
  return decodeUntrustedImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), limits.maxPixels, (problem) => {
    switch (problem.kind) {
      case 'unreadable':
        return refuse('bytes that are not a readable image');
      case 'format':
        return refuse(`an image in format ${problem.format} (JPEG, PNG or WebP are accepted)`);
      case 'no-size':
        return refuse('an image with no size');
      case 'too-many-pixels':
        return refuse(`a ${problem.width}x${problem.height} image (at most ${problem.maxPixels} pixels are accepted)`);
      case 'undecodable':
        return refuse(`an image that could not be decoded (${problem.detail})`);
    }
  });
}
