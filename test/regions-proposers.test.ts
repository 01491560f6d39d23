import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { windowBoxes, WindowProposer } from '../engine/regions/windows.ts';
import { SegmentProposer } from '../engine/regions/segment-proposer.ts';
import { iou } from '../engine/regions/geometry.ts';
import { loadRegionsConfig } from '../engine/regions/config.ts';
import { syntheticScene } from './helpers/synthetic-scene.ts';

test('windows: 3 × 3 half-size windows on 224 px start at 0, 56, 112; 6 × 6 of 64 px step by 32', () => {
  const boxes = windowBoxes(224, 224, [
    { grid: 3, size: 0.5 },
    { grid: 6, size: 64 / 224 },
  ]);
  assert.equal(boxes.length, 9 + 36);
  assert.deepEqual(
    boxes.slice(0, 3).map((b) => [b.x, b.y, b.w, b.h]),
    [
      [0, 0, 112, 112],
      [56, 0, 112, 112],
      [112, 0, 112, 112],
    ],
  );
  assert.deepEqual(boxes.slice(9, 15).map((b) => b.x), [0, 32, 64, 96, 128, 160]);
  assert.deepEqual(boxes[44], { x: 160, y: 160, w: 64, h: 64 });
});

test('windows scale with a non-square image and stay inside it', async () => {
  const proposals = await new WindowProposer([{ grid: 2, size: 0.6 }, { grid: 1, size: 1 }]).propose({ data: new Uint8Array(500 * 300 * 3), width: 500, height: 300 });
  assert.deepEqual(
    proposals.map((p) => [p.box.x, p.box.y, p.box.w, p.box.h]),
    [
      [0, 0, 300, 180],
      [200, 0, 300, 180],
      [0, 120, 300, 180],
      [200, 120, 300, 180],
      [0, 0, 500, 300],
    ],
  );
  assert.ok(proposals.every((p) => p.source === 'window'));
});

test('label-free proposals find each of three shapes on a textured background (IoU ≥ 0.5)', async () => {
  const { proposer } = loadRegionsConfig();
  const segments = new SegmentProposer(proposer);
  const ious: number[] = [];
  for (const seed of [1, 2, 3]) {
    const scene = syntheticScene(320, 240, seed);
    const proposals = await segments.propose(scene.image);
    assert.ok(proposals.length >= 3 && proposals.length <= proposer.maxBoxes, `${proposals.length} proposals`);
    for (const object of scene.objects) {
      const best = Math.max(...proposals.map((p) => iou(p.box, object.box)));
      assert.ok(best >= 0.5, `seed ${seed}: ${object.name} best IoU ${best.toFixed(2)}`);
      ious.push(best);
    }
  }
  process.stderr.write(`proposals on synthetic scenes: mean best IoU ${(ious.reduce((a, b) => a + b, 0) / ious.length).toFixed(3)}\n`);
});

const photos = join(import.meta.dirname, '..', '..', 'shared', 'data', 'flickr8k-1k', 'images');
test('label-free proposals run on real photographs', { skip: existsSync(photos) ? false : `no photos at ${photos}` }, async () => {
  const { proposer } = loadRegionsConfig();
  const segments = new SegmentProposer(proposer);
  for (const name of readdirSync(photos).sort().slice(0, 3)) {
    const { data, info } = await sharp(join(photos, name)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const proposals = await segments.propose({ data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height });
    assert.ok(proposals.length >= 1 && proposals.length <= proposer.maxBoxes, `${name}: ${proposals.length} proposals`);
    for (const { box } of proposals) {
      assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.w <= info.width && box.y + box.h <= info.height && box.w >= 1 && box.h >= 1, `${name}: box inside`);
      assert.ok((box.w * box.h) / (info.width * info.height) <= proposer.maxArea + 0.02, `${name}: box not the whole photo`);
    }
  }
});
