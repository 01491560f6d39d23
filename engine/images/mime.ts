// The MIME type of an image file by its extension: what the web API and MCP's image:// resources say
// they are sending.
import { extname } from 'node:path';

const imageMimeTypes: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
};

export function imageMimeType(path: string): string {
  return imageMimeTypes[extname(path).toLowerCase()] ?? 'application/octet-stream';
}
