// The crop as image file bytes for a vision chat API. Shrinking happens only after cropping, and only
// when the crop is larger than the server will look at anyway (LLaVA-1.5 sees 336 px).
import sharp from 'sharp';
import type { RgbImage } from '../types.ts';

export interface UploadImage {
  bytes: Uint8Array;
  mediaType: 'image/png' | 'image/jpeg';
}

export async function encodeForUpload(rgb: RgbImage, maxSide: number, format: 'png' | 'jpeg'): Promise<UploadImage> {
  let pipeline = sharp(Buffer.from(rgb.data.buffer, rgb.data.byteOffset, rgb.data.byteLength), {
    raw: { width: rgb.width, height: rgb.height, channels: 3 },
  });
  if (Math.max(rgb.width, rgb.height) > maxSide) {
    pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside', kernel: 'lanczos3' });
  }
  const bytes = format === 'png' ? await pipeline.png().toBuffer() : await pipeline.jpeg({ quality: 92 }).toBuffer();
  return { bytes: new Uint8Array(bytes), mediaType: format === 'png' ? 'image/png' : 'image/jpeg' };
}
