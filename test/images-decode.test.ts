// decodeImage on every kind of file a photo folder holds, and on the files it must refuse.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { decodeImage, ImageDecodeError, readImageSize, toDecodeError, type ImageDecodeFailure } from '../engine/images/decode.ts';
import type { RgbImage } from '../engine/types.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'visualref-decode-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const pixel = (img: RgbImage, x: number, y: number) => Array.from(img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));
const near = (actual: number[], expected: number[], tolerance: number) =>
  assert.ok(actual.every((v, i) => Math.abs(v - expected[i]) <= tolerance), `${JSON.stringify(actual)} is not within ${tolerance} of ${JSON.stringify(expected)}`);

/** A raw RGB image: left half `left`, right half `right`. */
function halves(width: number, height: number, left: number[], right: number[]): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(x < width / 2 ? left : right, (y * width + x) * 3);
  }
  return data;
}

async function rejectsWith(source: string | Buffer, reason: ImageDecodeFailure, options?: { maxPixels?: number }) {
  await assert.rejects(decodeImage(source, options), (err: unknown) => {
    assert.ok(err instanceof ImageDecodeError, `expected ImageDecodeError, got ${String(err)}`);
    assert.equal(err.reason, reason, err.message);
    return true;
  });
}

test('EXIF orientation 6 is applied: a 64x32 JPEG with red left half decodes to 32x64 with red on top', async () => {
  const jpeg = await sharp(halves(64, 32, [220, 20, 20], [20, 20, 220]), { raw: { width: 64, height: 32, channels: 3 } })
    .jpeg({ quality: 95 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const file = join(dir, 'rotated.jpg');
  writeFileSync(file, jpeg);
  const img = await decodeImage(file);
  assert.deepEqual([img.width, img.height], [32, 64]);
  assert.equal(img.data.length, 32 * 64 * 3);
  near(pixel(img, 16, 8), [220, 20, 20], 12);
  near(pixel(img, 16, 56), [20, 20, 220], 12);
  assert.deepEqual(await readImageSize(file), { width: 32, height: 64, format: 'jpeg' });
});

test('PNG alpha is flattened onto white', async () => {
  // Row: opaque red, fully transparent black, half-transparent black.
  const rgba = Buffer.from([255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 0, 128]);
  const png = await sharp(rgba, { raw: { width: 3, height: 1, channels: 4 } }).png().toBuffer();
  const img = await decodeImage(png);
  assert.deepEqual([img.width, img.height], [3, 1]);
  assert.deepEqual(pixel(img, 0, 0), [255, 0, 0]);
  assert.deepEqual(pixel(img, 1, 0), [255, 255, 255]);
  near(pixel(img, 2, 0), [127, 127, 127], 2);
});

test('a one-channel grey PNG decodes to three equal channels', async () => {
  const png = await sharp(Buffer.from([0, 90, 200, 255]), { raw: { width: 4, height: 1, channels: 1 } }).toColourspace('b-w').png().toBuffer();
  assert.equal((await sharp(png).metadata()).channels, 1);
  const img = await decodeImage(png);
  assert.deepEqual(Array.from(img.data), [0, 0, 0, 90, 90, 90, 200, 200, 200, 255, 255, 255]);
});

test('a CMYK JPEG is converted to sRGB', async () => {
  const cmyk = await sharp(halves(16, 16, [230, 10, 10], [230, 10, 10]), { raw: { width: 16, height: 16, channels: 3 } })
    .toColourspace('cmyk')
    .jpeg()
    .toBuffer();
  assert.equal((await sharp(cmyk).metadata()).space, 'cmyk');
  const img = await decodeImage(cmyk);
  assert.equal(img.data.length, 16 * 16 * 3);
  const [r, g, b] = pixel(img, 8, 8);
  assert.ok(r > 180 && g < 80 && b < 80, `expected red, got ${[r, g, b]}`);
});

test('a lossless WebP decodes to its exact pixels', async () => {
  const raw = halves(8, 4, [10, 200, 30], [250, 250, 0]);
  const webp = await sharp(raw, { raw: { width: 8, height: 4, channels: 3 } }).webp({ lossless: true }).toBuffer();
  const img = await decodeImage(webp);
  assert.deepEqual(Buffer.from(img.data), raw);
});

test('an animated GIF gives its first frame only', async () => {
  const red = halves(8, 8, [255, 0, 0], [255, 0, 0]);
  const blue = halves(8, 8, [0, 0, 255], [0, 0, 255]);
  const gif = await sharp(Buffer.concat([red, blue]), { raw: { width: 8, height: 16, channels: 3, pageHeight: 8 } }).gif().toBuffer();
  assert.equal((await sharp(gif).metadata()).pages, 2);
  const img = await decodeImage(gif);
  assert.deepEqual([img.width, img.height], [8, 8]);
  near(pixel(img, 4, 4), [255, 0, 0], 8);
});

test('a zero-byte file is "empty"', async () => {
  const file = join(dir, 'empty.jpg');
  writeFileSync(file, '');
  await rejectsWith(file, 'empty');
  await rejectsWith(Buffer.alloc(0), 'empty');
});

test('a truncated JPEG is reported as "truncated", not filled with grey', async () => {
  const noisy = await sharp({ create: { width: 256, height: 256, channels: 3, background: 'gray', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .jpeg()
    .toBuffer();
  const file = join(dir, 'cut.jpg');
  writeFileSync(file, noisy.subarray(0, Math.floor(noisy.length * 0.6)));
  await rejectsWith(file, 'truncated');
});

test('a text file named .jpg is "not-an-image" and the message names the file', async () => {
  const file = join(dir, 'notes.jpg');
  writeFileSync(file, 'these are my holiday notes, not a picture\n');
  await rejectsWith(file, 'not-an-image');
  await assert.rejects(decodeImage(file), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not an image`));
});

/** A PNG whose header claims width × height but whose pixel data is a few bytes: a decompression bomb. */
function bombPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc(1024))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('a 50000x50000 PNG header (decompression bomb) is "too-large" before any decoding', async () => {
  const bomb = bombPng(50_000, 50_000);
  assert.ok(bomb.length < 200);
  const started = performance.now();
  await rejectsWith(bomb, 'too-large');
  assert.ok(performance.now() - started < 2000);
  await assert.rejects(readImageSize(bomb), (err: unknown) => err instanceof ImageDecodeError && err.reason === 'too-large');
});

test('maxPixels lowers the limit', async () => {
  const png = await sharp({ create: { width: 100, height: 100, channels: 3, background: 'white' } }).png().toBuffer();
  await rejectsWith(png, 'too-large', { maxPixels: 5000 });
  assert.equal((await decodeImage(png, { maxPixels: 10_000 })).width, 100);
});

test('a missing file is "unreadable" with the system reason', async () => {
  await rejectsWith(join(dir, 'nope.png'), 'unreadable');
  await assert.rejects(decodeImage(join(dir, 'nope.png')), /ENOENT/);
});

test('a failure whose libvips message was lost (concurrent errors) is still told truncated by the bytes', async () => {
  const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } }).jpeg().toBuffer();
  const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } }).png().toBuffer();
  const lost = new Error('Unknown error');
  assert.equal(toDecodeError(lost, jpeg.subarray(0, jpeg.length >> 1)).reason, 'truncated');
  assert.equal(toDecodeError(lost, png.subarray(0, png.length >> 1)).reason, 'truncated');
  assert.equal(toDecodeError(lost, jpeg).reason, 'unreadable'); // complete file: no guess
  assert.equal(toDecodeError(lost, Buffer.from('plain text')).reason, 'unreadable');
});
