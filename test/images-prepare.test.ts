// prepareForModel: Hugging Face resize/crop arithmetic, boxes cut from the original image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { clampBox, planResize, prepareForModel } from '../engine/images/prepare.ts';
import { decodeImage } from '../engine/images/decode.ts';
import type { PreprocessSpec, RgbImage } from '../engine/types.ts';

const clip: PreprocessSpec = {
  resizeMode: 'shortest_edge', resizeTo: 224, cropWidth: 224, cropHeight: 224, resample: 'bicubic',
  rescaleFactor: 1 / 255, mean: [0.48145466, 0.4578275, 0.40821073], std: [0.26862954, 0.26130258, 0.27577711],
};
const siglip: PreprocessSpec = {
  resizeMode: 'exact', resizeTo: 224, cropWidth: 224, cropHeight: 224, resample: 'bilinear',
  rescaleFactor: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5],
};

test('CLIP plan: shortest edge to 224, long edge floor(224 × long / short), centred crop', () => {
  // 320x240: 224 × 320 / 240 = 298.67 → 298; left = floor((298 − 224) / 2) = 37.
  assert.deepEqual(planResize(320, 240, clip), { width: 298, height: 224, left: 37, top: 0, cropWidth: 224, cropHeight: 224 });
  // 180x260: 224 × 260 / 180 = 323.56 → 323; top = floor(99 / 2) = 49.
  assert.deepEqual(planResize(180, 260, clip), { width: 224, height: 323, left: 0, top: 49, cropWidth: 224, cropHeight: 224 });
  assert.deepEqual(planResize(50, 50, clip), { width: 224, height: 224, left: 0, top: 0, cropWidth: 224, cropHeight: 224 });
});

test('SigLIP plan: squash to 224x224 whatever the aspect', () => {
  assert.deepEqual(planResize(1000, 100, siglip), { width: 224, height: 224, left: 0, top: 0, cropWidth: 224, cropHeight: 224 });
});

test('boxes are rounded and clipped to the image; empty or outside boxes are refused', () => {
  assert.deepEqual(clampBox({ x: -10, y: 5.4, w: 50, h: 1000 }, 100, 80), { x: 0, y: 5, w: 40, h: 75 });
  assert.throws(() => clampBox({ x: 120, y: 0, w: 10, h: 10 }, 100, 80), /outside the 100x80 image/);
  assert.throws(() => clampBox({ x: 0, y: 0, w: 0, h: 10 }, 100, 80), /empty/);
  assert.throws(() => clampBox({ x: Number.NaN, y: 0, w: 5, h: 10 }, 100, 80), /non-finite/);
});

/** 400x300: all blue except a green 100x60 rectangle at (250, 200). */
function scene(): RgbImage {
  const width = 400;
  const height = 300;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inside = x >= 250 && x < 350 && y >= 200 && y < 260;
      data.set(inside ? [0, 200, 0] : [0, 0, 200], (y * width + x) * 3);
    }
  }
  return { data, width, height };
}

const mean = (img: RgbImage) => {
  const sum = [0, 0, 0];
  for (let i = 0; i < img.data.length; i++) sum[i % 3] += img.data[i];
  return sum.map((s) => s / (img.width * img.height));
};

test('a box is cut from the original pixels: the prepared box of the green patch is all green', async () => {
  const image = scene();
  for (const spec of [clip, siglip]) {
    const prepared = await prepareForModel(image, spec, { x: 255, y: 205, w: 90, h: 50 });
    assert.deepEqual([prepared.width, prepared.height], [224, 224]);
    const [r, g, b] = mean(prepared);
    assert.ok(r < 1 && Math.abs(g - 200) < 1 && b < 1, `mean ${[r, g, b]}`);
  }
});

test('a box refers to the EXIF-rotated image, not the stored pixels', async () => {
  // Stored 300x400 so that orientation 6 (turn 90° clockwise) shows the 400x300 scene:
  // rotate the scene 90° anticlockwise before storing.
  const image = scene();
  const stored = await sharp(Buffer.from(image.data), { raw: { width: 400, height: 300, channels: 3 } })
    .rotate(270)
    .png()
    .toBuffer();
  const meta = await sharp(stored).metadata();
  assert.deepEqual([meta.width, meta.height], [300, 400]);
  const jpeg = await sharp(stored).jpeg({ quality: 98 }).withMetadata({ orientation: 6 }).toBuffer();
  const prepared = await prepareForModel(jpeg, siglip, { x: 260, y: 210, w: 80, h: 40 });
  const [r, g, b] = mean(prepared);
  assert.ok(r < 10 && g > 180 && b < 10, `mean ${[r, g, b]}`);
});

test('file, buffer and decoded image give the same prepared pixels', async () => {
  const png = await sharp(Buffer.from(scene().data), { raw: { width: 400, height: 300, channels: 3 } }).png().toBuffer();
  const fromBuffer = await prepareForModel(png, clip);
  const fromImage = await prepareForModel(await decodeImage(png), clip);
  assert.deepEqual([fromBuffer.width, fromBuffer.height], [224, 224]);
  assert.deepEqual(Buffer.from(fromBuffer.data), Buffer.from(fromImage.data));
  // Centre crop of the 298x224 resize keeps x in [37, 261) of 298, i.e. source x in [49.7, 350.3): the
  // green patch (x 250..350, y 200..260 → resized y 149..194) is inside, at the right.
  const at = (x: number, y: number) => Array.from(fromBuffer.data.subarray((y * 224 + x) * 3, (y * 224 + x) * 3 + 3));
  assert.deepEqual(at(200, 170), [0, 200, 0]);
  assert.deepEqual(at(20, 20), [0, 0, 200]);
});

test('an RgbImage whose data does not match its size is refused', async () => {
  await assert.rejects(prepareForModel({ data: new Uint8Array(10), width: 4, height: 4 }, clip), /expected 4x4x3/);
});

test('a known size saves the header read and gives the same pixels; an image already at the input size is passed through as libvips would', async () => {
  const png = await sharp(Buffer.from(scene().data), { raw: { width: 400, height: 300, channels: 3 } }).png().toBuffer();
  const read = await prepareForModel(png, clip);
  const known = await prepareForModel(png, clip, undefined, { size: { width: 400, height: 300 } });
  assert.deepEqual(Buffer.from(known.data), Buffer.from(read.data));
  // A 224x224 image: the resize and the centre crop change nothing, so the same pixels come back.
  const exact = await decodeImage(await sharp(png).resize(224, 224, { fit: 'fill' }).png().toBuffer());
  const throughLibvips = await sharp(Buffer.from(exact.data), { raw: { width: 224, height: 224, channels: 3 } })
    .resize(224, 224, { fit: 'fill', kernel: 'cubic' })
    .raw()
    .toBuffer();
  for (const spec of [clip, siglip]) {
    const prepared = await prepareForModel(exact, spec);
    assert.deepEqual(Buffer.from(prepared.data), throughLibvips, spec.resizeMode);
  }
});
