// The world painter: descriptions read into the world's vocabulary and drawn with the world's
// renderer; what it does not understand is reported, and a description with nothing drawable gives
// no picture and a reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDescription } from '../engine/generation/parse-description.ts';
import { paintDescription, WorldPainter } from '../engine/generation/world-painter.ts';
import { createGenerator } from '../engine/generation/create-generator.ts';
import { colours } from '../engine/world/vocabulary.ts';
import type { RgbImage } from '../engine/types.ts';

function pixel(image: RgbImage, x: number, y: number): number[] {
  const i = (y * image.width + x) * 3;
  return [...image.data.subarray(i, i + 3)];
}

test('reads objects with colour, shape, size and pattern, a relation and the background', () => {
  const parsed = parseDescription('A large blue striped square to the left of a small red star on the grass');
  assert.deepEqual(parsed.objects, [
    { shape: 'square', colour: 'blue', size: 'large', pattern: 'striped' },
    { shape: 'star', colour: 'red', size: 'small', pattern: undefined },
  ]);
  assert.deepEqual(parsed.relations, [{ subject: 0, kind: 'left-of', object: 1 }]);
  assert.equal(parsed.background, 'grass');
  assert.deepEqual(parsed.unknown, []);
});

test('corrections re-state or remove an object already described', () => {
  const corrected = parseDescription('a red circle and a blue square, the circle should be green and dotted');
  assert.deepEqual(corrected.objects.map((o) => `${o.colour} ${o.pattern ?? ''} ${o.shape}`), ['green dotted circle', 'blue  square']);
  const removed = parseDescription('a red circle and a yellow star in the snow, no star');
  assert.deepEqual(removed.objects.map((o) => o.shape), ['circle']);
  assert.equal(removed.background, 'snow');
});

test('words outside the world are reported, not guessed', () => {
  const painting = paintDescription('a red circle next to a tree');
  assert.ok(painting.image, 'the circle is still drawn');
  assert.deepEqual(painting.parsed.unknown, ['next', 'tree']);
  assert.ok(painting.notes.includes('not understood: next, tree'));
  assert.equal(painting.scene?.objects.length, 1);
});

test('a description with nothing of the world gives no picture and says why', async () => {
  const outcome = await new WorldPainter('world-painter').generate({ prompt: 'a cat sleeping in a forest' });
  assert.equal(outcome.picture, undefined);
  assert.ok('reason' in outcome);
  assert.match(outcome.reason, /nothing in the description names a shape, colour, size, pattern or background/);
  assert.match(outcome.reason, /cat, sleeping, forest/);
});

test('draws what was described where the relations say, with the world colours', () => {
  const painting = paintDescription('a large red circle above a large blue square');
  const [circle, square] = painting.scene!.objects;
  assert.ok(square.cy - circle.cy >= 40, 'the circle is above the square');
  const image = painting.image!;
  assert.equal(image.width, 224);
  const near = (actual: number[], expected: readonly number[]) => actual.every((v, c) => Math.abs(v - expected[c]) <= 2);
  assert.ok(near(pixel(image, circle.cx, circle.cy), colours.red), 'red at the circle centre');
  assert.ok(near(pixel(image, square.cx, square.cy), colours.blue), 'blue at the square centre');
  assert.deepEqual(pixel(image, 2, 2), [208, 208, 208], 'a plain backdrop when no background is described');
  assert.ok(painting.notes.includes('background not given: drawn plain'));
  assert.ok(painting.notes.includes('pattern not given: drawn plain'));
});

test('the same description always gives the same pixels, in under 50 ms', () => {
  const description = 'a small yellow dotted heart to the right of a medium green checkered hexagon on a wooden floor';
  const first = paintDescription(description).image!;
  const timings: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const again = paintDescription(description).image!;
    timings.push(performance.now() - started);
    assert.deepEqual(again.data, first.data);
  }
  timings.sort((a, b) => a - b);
  assert.ok(timings[2] < 50, `median ${timings[2].toFixed(1)} ms`);
});

test('configs/generation.yaml chooses the world painter by default', async () => {
  const generator = createGenerator('');
  assert.equal(generator.name, 'world-painter');
  const outcome = await generator.generate({ prompt: 'a purple cross on sand' });
  assert.ok(outcome.picture);
  assert.equal(outcome.picture.prompt, 'a purple cross on sand');
  assert.throws(() => createGenerator('no-such-generator'), /no image generator "no-such-generator" in configs\/generation.yaml \(known: world-painter, local-sd\)/);
});
