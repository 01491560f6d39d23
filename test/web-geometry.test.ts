// Boxes drawn on a scaled image must reach the tools in the image's own pixels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clampBox, cropStyle, displayToImage, moveBox, movement, spanBox, toPercent } from '../web/src/geometry.ts';

test('a box drawn on a half-size display maps to twice the pixels of the original', () => {
  // 1000x750 image shown at 500x375: a 100x50 box at (50, 25) covers (100, 50) 200x100 of the image.
  assert.deepEqual(displayToImage({ x: 50, y: 25, w: 100, h: 50 }, { width: 500, height: 375 }, { width: 1000, height: 750 }), { x: 100, y: 50, w: 200, h: 100 });
});

test('non-uniform scaling of a portrait image keeps each axis separate', () => {
  // 480x640 shown at 300x400 (scale 1.6 on both axes); a box at the bottom-right corner stays inside.
  assert.deepEqual(displayToImage({ x: 250, y: 350, w: 50, h: 50 }, { width: 300, height: 400 }, { width: 480, height: 640 }), { x: 400, y: 560, w: 80, h: 80 });
});

test('spanBox accepts a drag in any direction', () => {
  assert.deepEqual(spanBox(80, 90, 20, 30), { x: 20, y: 30, w: 60, h: 60 });
});

test('boxes are clamped into the image and moved without leaving it', () => {
  const size = { width: 200, height: 100 };
  assert.deepEqual(clampBox({ x: -5, y: 90, w: 50, h: 40 }, size), { x: 0, y: 60, w: 50, h: 40 });
  assert.deepEqual(moveBox({ x: 150, y: 10, w: 40, h: 20 }, 30, -30, size), { x: 160, y: 0, w: 40, h: 20 });
});

test('toPercent positions a box at any displayed size', () => {
  assert.deepEqual(toPercent({ x: 50, y: 25, w: 100, h: 50 }, { width: 200, height: 100 }), { left: '25.000%', top: '25.000%', width: '50.000%', height: '50.000%' });
});

test('movement labels: up, down, new, unchanged, and none on a first search', () => {
  assert.deepEqual(movement(2, 5), { label: '↑3', kind: 'up' });
  assert.deepEqual(movement(7, 5), { label: '↓2', kind: 'down' });
  assert.deepEqual(movement(4, null), { label: 'new', kind: 'new' });
  assert.deepEqual(movement(4, 4), { label: '=', kind: 'same' });
  assert.equal(movement(1, undefined), undefined);
});

test('a crop puts the box, centred, into the square of the applied-boxes list', () => {
  // 224x224 image, box 56x28 at (112, 56), 40-px square: scale 40/56; the image is 160 px wide, the box
  // 40x20 at (80, 40) of it, moved to (0, 10) of the square: left -80, top 10 - 40 = -30.
  assert.deepEqual(cropStyle({ x: 112, y: 56, w: 56, h: 28 }, { width: 224, height: 224 }, 40), { left: '-80.00px', top: '-30.00px', width: '160.00px', height: '160.00px' });
});
