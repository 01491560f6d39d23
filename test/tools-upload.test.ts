// Uploaded query images: decoded to RGB with the limits checked before the pixels are allocated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { decodeUpload } from '../tools/upload.ts';
import { ToolError } from '../tools/errors.ts';

const limits = { maxBytes: 1_000_000, maxPixels: 1_000_000 };

async function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 200, g: 10, b: 30, alpha: 1 } } }).png().toBuffer();
}

test('a PNG (also as a data: URL) decodes to RGB pixels of its size', async () => {
  const bytes = await png(40, 30);
  for (const text of [bytes.toString('base64'), `data:image/png;base64,${bytes.toString('base64')}`]) {
    const image = await decodeUpload(text, limits);
    assert.equal(image.width, 40);
    assert.equal(image.height, 30);
    assert.equal(image.data.length, 40 * 30 * 3);
    assert.deepEqual([...image.data.subarray(0, 3)], [200, 10, 30]);
  }
});

test('an EXIF-rotated JPEG comes out upright', async () => {
  const jpeg = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#808080' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const image = await decodeUpload(jpeg.toString('base64'), limits);
  assert.deepEqual([image.width, image.height], [20, 40]);
});

test('bad uploads are refused with a message saying what to send', async () => {
  const cases: [string, RegExp][] = [
    ['', /empty/],
    ['not base64 at all!', /not base64/],
    [Buffer.from('hello, this is text').toString('base64'), /not a readable image/],
    [(await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } }).gif().toBuffer()).toString('base64'), /format gif/],
    [(await png(1200, 1000)).toString('base64'), /1200x1000 pixels; at most 1000000/],
    ['A'.repeat(1_400_000), /at most 1000000 are accepted/],
  ];
  for (const [text, message] of cases) {
    await assert.rejects(decodeUpload(text, limits), (err: unknown) => err instanceof ToolError && err.code === 'bad-upload' && message.test(err.message));
  }
});
