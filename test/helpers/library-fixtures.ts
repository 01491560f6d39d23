// Test folders of real image files (generated with sharp) and bad files of every kind.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { repoRoot } from '../../engine/config/load-config.ts';
import type { IndexConfig } from '../../engine/index/config.ts';
import { loadIndexConfig } from '../../engine/index/config.ts';

export const tinyClip = join(repoRoot, 'test', 'models', 'tiny-clip');

export function tempDir(t: { after(fn: () => void): void }, prefix = 'visualref-lib-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A small JPEG whose pixels depend on `seed` (stripes and a colour), so each one encodes differently. */
export async function imageBytes(seed: number, width = 64, height = 48, format: 'jpeg' | 'png' = 'jpeg'): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      data[o] = (seed * 37 + x * (1 + (seed % 5))) & 255;
      data[o + 1] = (seed * 91 + y * (1 + (seed % 3))) & 255;
      data[o + 2] = ((x + y) * (seed % 7) + seed * 13) & 255;
    }
  }
  const image = sharp(data, { raw: { width, height, channels: 3 } });
  return format === 'jpeg' ? image.jpeg({ quality: 90 }).toBuffer() : image.png().toBuffer();
}

/** Writes `count` images as `<dir>/<prefix>NNN.jpg`; returns their relative paths. */
export async function writeImages(dir: string, count: number, options: { prefix?: string; seed?: number } = {}): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${options.prefix ?? 'img'}${String(i).padStart(3, '0')}.jpg`;
    writeFileSync(join(dir, name), await imageBytes((options.seed ?? 0) + i));
    names.push(name);
  }
  return names;
}

function pngChunk(type: string, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/**
 * A decompression bomb: a valid PNG header announcing `side` × `side` grey pixels, whose compressed
 * data (a few kilobytes of zeros) would inflate to gigabytes.
 */
export function pngBomb(side = 40_000): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  const rows = deflateSync(Buffer.alloc((side + 1) * 64));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk('IHDR', header), pngChunk('IDAT', rows), pngChunk('IEND', Buffer.alloc(0))]);
}

/** configs/index.yaml with overrides (e.g. the exact index for tiny collections). */
export function indexConfig(overrides: Partial<IndexConfig['indexer']> = {}, kind: IndexConfig['kind'] = 'hnsw'): IndexConfig {
  const config = loadIndexConfig();
  return { ...config, kind, indexer: { ...config.indexer, ...overrides } };
}
