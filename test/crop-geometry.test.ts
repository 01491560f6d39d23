import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import sharp from 'sharp';
import { resolveBox } from '../engine/images/box.ts';
import { cropImage } from '../engine/images/crop.ts';
import { decodeImage } from '../engine/images/decode.ts';
import type { RgbImage } from '../engine/types.ts';

// The project's own decoder: EXIF orientation applied, 3 channels.
const decode = (file: string) => decodeImage(file);

/**
 * Writes `rgb` as a PNG whose stored pixels are turned so that applying its EXIF orientation gives
 * back `rgb` (what a phone camera does): 6 = stored turned 90° anticlockwise, 8 = clockwise, 3 = 180°.
 */
async function writeExifRotated(rgb: RgbImage, orientation: 3 | 6 | 8, file: string): Promise<void> {
  const storedTurn = { 3: 180, 6: 270, 8: 90 }[orientation];
  const png = await sharp(Buffer.from(rgb.data), { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .rotate(storedTurn)
    .withMetadata({ orientation })
    .png()
    .toBuffer();
  writeFileSync(file, png);
}

function fill(width: number, height: number, rgb: [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { data, width, height };
}

function paint(image: RgbImage, x: number, y: number, w: number, h: number, rgb: [number, number, number]): void {
  for (let r = y; r < y + h; r++) for (let c = x; c < x + w; c++) image.data.set(rgb, (r * image.width + c) * 3);
}

function colours(image: RgbImage): Set<string> {
  const seen = new Set<string>();
  for (let i = 0; i < image.data.length; i += 3) seen.add(`${image.data[i]},${image.data[i + 1]},${image.data[i + 2]}`);
  return seen;
}

test('a crop of a synthetic non-square image holds exactly the painted rectangle', () => {
  const image = fill(300, 200, [90, 90, 90]);
  paint(image, 37, 121, 50, 30, [220, 20, 30]);
  const crop = cropImage(image, resolveBox({ x: 37, y: 121, w: 50, h: 30 }, 'px', image));
  assert.equal(crop.width, 50);
  assert.equal(crop.height, 30);
  assert.deepEqual([...colours(crop)], ['220,20,30']);
  // One pixel more on each side takes in the grey border and nothing else.
  const wider = cropImage(image, resolveBox({ x: 36, y: 120, w: 52, h: 32 }, 'px', image));
  assert.deepEqual([...colours(wider)].sort(), ['220,20,30', '90,90,90']);
  assert.equal(wider.data[0], 90);
  assert.equal(wider.data[(1 * 52 + 1) * 3], 220);
});

test('crop refuses a box outside the image instead of reading past it', () => {
  const image = fill(10, 8, [0, 0, 0]);
  assert.throws(() => cropImage(image, { x: 5, y: 0, w: 6, h: 4 }), /not inside the 10x8 image/);
  assert.throws(() => cropImage(image, { x: 0.5, y: 0, w: 4, h: 4 }), /not inside/);
});

for (const orientation of [3, 6, 8] as const) {
  test(`boxes land on the displayed pixels of an EXIF-rotated file (orientation ${orientation})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'visualref-crop-'));
    try {
      // Landscape as displayed, with a blue square near the top-right corner.
      const shown = fill(320, 180, [30, 140, 60]);
      paint(shown, 250, 20, 40, 40, [20, 40, 230]);
      const file = join(dir, 'rotated.png');
      await writeExifRotated(shown, orientation, file);
      const decoded = await decode(file);
      assert.deepEqual([decoded.width, decoded.height], [320, 180]);
      const fraction = { x: 250 / 320, y: 20 / 180, w: 40 / 320, h: 40 / 180 };
      const crop = cropImage(decoded, resolveBox(fraction, undefined, decoded));
      assert.deepEqual([crop.width, crop.height], [40, 40]);
      assert.deepEqual([...colours(crop)], ['20,40,230']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

const coco = join(import.meta.dirname, '..', '..', 'shared', 'data', 'coco-mini');
const haveCoco = existsSync(join(coco, 'annotations', 'instances_val2017.json'));

test('COCO boxes crop the same pixels as an independent sharp extract, on EXIF-rotated copies', { skip: haveCoco ? false : `no COCO data at ${coco}` }, async () => {
  const instances = JSON.parse(readFileSync(join(coco, 'annotations', 'instances_val2017.json'), 'utf8')) as {
    images: { id: number; file_name: string; width: number; height: number }[];
    annotations: { image_id: number; bbox: [number, number, number, number]; area: number }[];
  };
  // Non-square images of both orientations (landscape and portrait), the largest box of each.
  const landscape = instances.images.filter((i) => i.width > i.height).slice(0, 3);
  const portrait = instances.images.filter((i) => i.height > i.width).slice(0, 3);
  const dir = mkdtempSync(join(tmpdir(), 'visualref-coco-crop-'));
  try {
    let checked = 0;
    for (const [n, image] of [...landscape, ...portrait].entries()) {
      const boxes = instances.annotations.filter((a) => a.image_id === image.id).sort((a, b) => b.area - a.area);
      if (boxes.length === 0) continue;
      const [bx, by, bw, bh] = boxes[0].bbox;
      const jpeg = join(coco, 'val2017', image.file_name);
      const original = await decode(jpeg);
      assert.deepEqual([original.width, original.height], [image.width, image.height]);
      const orientation = ([3, 6, 8] as const)[n % 3];
      const rotatedFile = join(dir, `${image.id}.png`);
      await writeExifRotated(original, orientation, rotatedFile);

      const decoded = await decode(rotatedFile);
      const box = resolveBox({ x: bx, y: by, w: bw, h: bh }, 'px', decoded);
      const ours = cropImage(decoded, box);
      const { data, info } = await sharp(jpeg)
        .extract({ left: box.x, top: box.y, width: box.w, height: box.h })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      assert.deepEqual([ours.width, ours.height], [info.width, info.height]);
      assert.ok(Buffer.from(ours.data).equals(data), `crop of image ${image.id} (orientation ${orientation}) differs from sharp's extract`);
      checked++;
    }
    assert.ok(checked >= 4, `only ${checked} COCO images had boxes`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
