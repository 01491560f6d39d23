import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveBox, resolveBoxes, parseBoxText, BoxError, MAX_BOXES_PER_IMAGE } from '../engine/images/box.ts';

const size = { width: 640, height: 480 };

test('pixel boxes inside the image are kept as they are', () => {
  assert.deepEqual(resolveBox({ x: 10, y: 20, w: 100, h: 50 }, 'px', size), { x: 10, y: 20, w: 100, h: 50 });
  assert.deepEqual(resolveBox({ x: 10, y: 20, w: 100, h: 50 }, undefined, size), { x: 10, y: 20, w: 100, h: 50 });
});

test('fractions are scaled by each side of the image, auto-detected when all values are within 0..1', () => {
  // 0.25*640 = 160, 0.5*480 = 240, 0.5*640 = 320, 0.25*480 = 120
  const expected = { x: 160, y: 240, w: 320, h: 120 };
  assert.deepEqual(resolveBox({ x: 0.25, y: 0.5, w: 0.5, h: 0.25 }, undefined, size), expected);
  assert.deepEqual(resolveBox({ x: 0.25, y: 0.5, w: 0.5, h: 0.25 }, 'fraction', size), expected);
  // The whole image.
  assert.deepEqual(resolveBox({ x: 0, y: 0, w: 1, h: 1 }, undefined, size), { x: 0, y: 0, w: 640, h: 480 });
  // 0.1*640 = 64.00000000000001 must not grow to 65.
  assert.deepEqual(resolveBox({ x: 0.1, y: 0.1, w: 0.1, h: 0.1 }, undefined, size), { x: 64, y: 48, w: 64, h: 48 });
});

test('fractional pixel edges round outward so partly covered pixels are kept', () => {
  // left 10.5 → 10, right 10.5 + 20.2 = 30.7 → 31
  assert.deepEqual(resolveBox({ x: 10.5, y: 3.2, w: 20.2, h: 7.9 }, 'px', size), { x: 10, y: 3, w: 21, h: 9 });
});

test('boxes that stick out are clamped to the image', () => {
  assert.deepEqual(resolveBox({ x: -20, y: -10, w: 100, h: 60 }, 'px', size), { x: 0, y: 0, w: 80, h: 50 });
  assert.deepEqual(resolveBox({ x: 600, y: 400, w: 100, h: 200 }, 'px', size), { x: 600, y: 400, w: 40, h: 80 });
  assert.deepEqual(resolveBox({ x: 0.5, y: 0.5, w: 0.9, h: 0.9 }, 'fraction', size), { x: 320, y: 240, w: 320, h: 240 });
});

const invalid: [string, { x: number; y: number; w: number; h: number }, 'px' | 'fraction' | undefined, RegExp][] = [
  ['NaN', { x: Number.NaN, y: 0, w: 10, h: 10 }, 'px', /x must be a finite number/],
  ['infinite', { x: 0, y: 0, w: Number.POSITIVE_INFINITY, h: 10 }, 'px', /w must be a finite number/],
  ['zero width', { x: 5, y: 5, w: 0, h: 10 }, 'px', /no area/],
  ['negative height', { x: 5, y: 5, w: 10, h: -3 }, 'px', /no area/],
  ['right of the image', { x: 700, y: 10, w: 50, h: 50 }, 'px', /entirely outside the 640x480 image/],
  ['above the image', { x: 10, y: -100, w: 50, h: 100 }, 'px', /entirely outside/],
  ['fraction beyond the image', { x: 1.2, y: 0, w: 0.5, h: 0.5 }, 'fraction', /fractions of the image\) lies entirely outside/],
  ['tiny', { x: 10, y: 10, w: 3, h: 30 }, 'px', /3x30 px.*at least 4 px/],
  ['tiny after clamping', { x: 638, y: 10, w: 50, h: 50 }, 'px', /2x50 px/],
  ['tiny fraction', { x: 0.5, y: 0.5, w: 0.001, h: 0.5 }, undefined, /at least 4 px/],
];

for (const [name, box, units, message] of invalid) {
  test(`refuses a ${name} box with a clear message`, () => {
    assert.throws(() => resolveBox(box, units, size), (err: unknown) => err instanceof BoxError && message.test(err.message));
  });
}

test('at most 20 boxes per image, and the failing box is numbered', () => {
  const ok = { x: 0, y: 0, w: 10, h: 10 };
  assert.equal(resolveBoxes(Array(MAX_BOXES_PER_IMAGE).fill(ok), 'px', size).length, 20);
  assert.throws(() => resolveBoxes(Array(21).fill(ok), 'px', size), /21 boxes on one image; at most 20/);
  assert.throws(() => resolveBoxes([ok, { x: 0, y: 0, w: 0, h: 5 }], 'px', size), /^BoxError: box 2: /);
});

test('parses x,y,w,h from the command line', () => {
  assert.deepEqual(parseBoxText('1, 2,3.5,4'), { x: 1, y: 2, w: 3.5, h: 4 });
  assert.throws(() => parseBoxText('1,2,3'), /four comma-separated numbers/);
  assert.throws(() => resolveBox(parseBoxText('a,2,3,4'), 'px', size), /x must be a finite number, got NaN/);
});
