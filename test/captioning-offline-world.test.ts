// The offline captioner on the built-in world: boxes drawn around single objects of scenes the model
// never saw in training are captioned with the object's colour and shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { renderWorldImage } from '../engine/world/generate-world.ts';
import { decodeImage } from '../engine/images/decode.ts';
import { loadModelRuntime } from '../engine/library/model-runtime.ts';
import { resolveBox } from '../engine/images/box.ts';
import { createCaptioner } from '../engine/captioners/create-captioner.ts';
import { runtimeEmbedder } from '../engine/captioners/for-library.ts';

const builtin = join(import.meta.dirname, '..', 'models', 'builtin');
const haveModel = existsSync(join(builtin, 'onnx', 'vision_model.onnx'));

// Training used world seeds 1 (train) and 2 (val); these scenes come from another seed.
const seed = 7;
const objectsToCaption = 120;

test('single-object region captions name the right colour and shape at least 80% of the time', { skip: haveModel ? false : `no built-in model at ${builtin} (npm run train:builtin)` }, async () => {
  const runtime = await loadModelRuntime(builtin, 'cpu');
  try {
    const captioner = createCaptioner('world-phrases', { model: 'builtin', embedder: runtimeEmbedder('builtin', async () => runtime) });
    let total = 0;
    let right = 0;
    let colourRight = 0;
    let shapeRight = 0;
    const misses: string[] = [];
    for (let index = 0; total < objectsToCaption; index++) {
      const { entry, png } = await renderWorldImage(seed, 'test', index);
      const image = await decodeImage(png);
      // An object mostly covered by another may have a sliver of a box; a user would not box that.
      const objects = entry.objects.filter((o) => o.box[2] >= 8 && o.box[3] >= 8);
      // Boxes as a user draws them: around the object with a little margin (10% of its size a side).
      const boxes = objects.map((o) => o.box).map(([x, y, w, h]) => ({ x: x - 0.1 * w, y: y - 0.1 * h, w: 1.2 * w, h: 1.2 * h }));
      const results = await captioner.caption(boxes.map((box) => ({ image, box: resolveBox(box, 'px', image) })));
      results.forEach((result, i) => {
        const object = objects[i];
        const words = result.text.split(' ');
        const colourOk = words.includes(object.colour);
        const shapeOk = words[words.length - 1] === object.shape;
        colourRight += colourOk ? 1 : 0;
        shapeRight += shapeOk ? 1 : 0;
        if (colourOk && shapeOk) right++;
        else if (misses.length < 8) misses.push(`scene ${index}: ${object.colour} ${object.shape} → "${result.text}"`);
        total++;
      });
    }
    const accuracy = right / total;
    process.stderr.write(
      `offline captioner on ${total} objects (world seed ${seed}): colour+shape ${accuracy.toFixed(3)}, ` +
        `colour ${(colourRight / total).toFixed(3)}, shape ${(shapeRight / total).toFixed(3)}\n  ${misses.join('\n  ')}\n`,
    );
    assert.ok(accuracy >= 0.8, `colour and shape right for ${right} of ${total} objects (${accuracy.toFixed(3)})`);
  } finally {
    await runtime.dispose();
  }
});
