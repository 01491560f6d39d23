// The committed built-in model, through the normal loader, on scenes it was not trained on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEncoders, type LoadedEncoders } from '../engine/encoders/load-encoders.ts';
import { prepareForModel } from '../engine/images/prepare.ts';
import { colourShapePhrase } from '../engine/world/captions.ts';
import { generateWorld, type WorldCaptions, type WorldObject } from '../engine/world/generate-world.ts';
import { colourNames, shapes, type Colour, type Shape } from '../engine/world/vocabulary.ts';

let encoders: LoadedEncoders;
let dir: string;
let world: WorldCaptions;

before(async () => {
  encoders = await loadEncoders('builtin');
  dir = await mkdtemp(join(tmpdir(), 'builtin-test-'));
  world = await generateWorld({ seed: 5000, count: 60, split: 'test', outDir: dir });
});

after(async () => {
  await encoders.image.dispose();
  await encoders.text.dispose();
  await rm(dir, { recursive: true, force: true });
});

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

test('the built-in model has the declared I/O: 128-d embeddings and 4x4 patch tokens after a CLS token', async () => {
  assert.equal(encoders.info.dim, 128);
  assert.equal(encoders.image.preprocess.cropWidth, 64);
  const pixels = await prepareForModel(join(dir, world.images[0].filename), encoders.image.preprocess);
  const [encoding] = await encoders.image.encodePixels([pixels], { tokens: true });
  assert.equal(encoding.embedding.length, 128);
  assert.equal(encoding.tokens?.count, 17);
});

test("each scene's caption beats the same caption with one attribute changed, in most scenes", async () => {
  const images = await encoders.image.encodePixels(
    await Promise.all(world.images.map((im) => prepareForModel(join(dir, im.filename), encoders.image.preprocess))),
  );
  const own: string[] = [];
  const foils: string[] = [];
  world.images.forEach((image, i) => {
    const object = image.objects[i % image.objects.length];
    const present = (colour: Colour, shape: Shape) => image.objects.some((o) => o.colour === colour && o.shape === shape);
    // Change the colour on even scenes, the shape on odd ones, to a value no object of the scene has.
    const colour = i % 2 === 0 ? colourNames.find((c) => !image.objects.some((o) => o.colour === c))! : object.colour;
    const shape = i % 2 === 1 ? shapes.find((s) => !image.objects.some((o) => o.shape === s))! : object.shape;
    assert.ok(!present(colour, shape));
    own.push(`${colourShapePhrase(object.colour, object.shape)} on ${image.background}`);
    foils.push(`${colourShapePhrase(colour, shape)} on ${image.background}`);
  });
  const ownVectors = await encoders.text.encodeTexts(own);
  const foilVectors = await encoders.text.encodeTexts(foils);
  const wins = images.filter((im, i) => dot(im.embedding, ownVectors[i]) > dot(im.embedding, foilVectors[i])).length;
  assert.ok(wins / images.length >= 0.8, `own caption first in ${wins} of ${images.length} scenes`);
});

test('single-object crops are named by the right "colour shape" among all of them (>= 80%)', async () => {
  const phrases = colourNames.flatMap((colour) => shapes.map((shape) => ({ colour, shape, text: colourShapePhrase(colour, shape) })));
  const phraseVectors = await encoders.text.encodeTexts(phrases.map((p) => p.text));
  const crops: { object: WorldObject; file: string }[] = world.images.flatMap((im) =>
    im.objects.map((object) => ({ object, file: join(dir, im.filename) })),
  );
  const pixels = await Promise.all(
    crops.map(({ object, file }) => {
      const [x, y, w, h] = object.box;
      return prepareForModel(file, encoders.image.preprocess, { x, y, w, h });
    }),
  );
  const encoded = await encoders.image.encodePixels(pixels);
  let correct = 0;
  encoded.forEach((e, i) => {
    const scores = phraseVectors.map((v) => dot(e.embedding, v));
    const best = phrases[scores.indexOf(Math.max(...scores))];
    if (best.colour === crops[i].object.colour && best.shape === crops[i].object.shape) correct++;
  });
  assert.ok(correct / crops.length >= 0.8, `${correct} of ${crops.length} crops named right`);
});
