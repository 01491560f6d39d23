// The TypeScript pipeline against numbers computed independently in Python (PIL, numpy, PyTorch)
// by training/build_test_models.py for the tiny random-weight models.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEncoders, type LoadedEncoders } from '../engine/encoders/load-encoders.ts';
import { pixelTensor } from '../engine/encoders/pixel-tensor.ts';
import { decodeImage } from '../engine/images/decode.ts';
import { prepareForModel } from '../engine/images/prepare.ts';
import { repoRoot } from '../engine/config/load-config.ts';
import type { Box } from '../engine/types.ts';

interface ImageReference {
  file: string;
  box?: Box;
  prepared: string;
  pixelSamples: { index: number[]; value: number[] };
  pixelChannelMean: number[];
  embedding: number[];
  tokensShape: [number, number];
  tokensFirstRows: number[][];
}
interface Reference {
  images: ImageReference[];
  texts: { text: string; ids: number[]; embedding: number[] }[];
  batch: { inputIds: number[][]; attentionMask: number[][] | null };
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

const loaded: LoadedEncoders[] = [];
after(async () => {
  for (const l of loaded) {
    await l.image.dispose();
    await l.text.dispose();
  }
});

for (const name of ['tiny-clip', 'tiny-siglip']) {
  const folder = join(repoRoot, 'test', 'models', name);
  const ref = JSON.parse(readFileSync(join(folder, 'reference.json'), 'utf8')) as Reference;
  const family = name === 'tiny-clip' ? 'clip' : 'siglip';
  const maxLength = family === 'clip' ? 77 : 64;
  let encoders: LoadedEncoders | undefined;
  const get = async () => {
    if (!encoders) {
      encoders = await loadEncoders(name);
      loaded.push(encoders);
    }
    return encoders;
  };

  test(`${name}: loads by registry name with the family and size of its config`, async () => {
    const { info, image } = await get();
    assert.deepEqual({ model: info.model, family: info.family, dim: info.dim, provider: info.provider }, { model: name, family, dim: 32, provider: 'cpu' });
    assert.equal(image.preprocess.resizeMode, family === 'clip' ? 'shortest_edge' : 'exact');
  });

  test(`${name}: token ids equal the Python tokenizer's, truncated to ${maxLength} with the end token kept`, async () => {
    const { text } = await get();
    for (const t of ref.texts) assert.deepEqual(text.tokenizer.encode(t.text), t.ids, t.text);
    const long = text.tokenizer.encode(ref.texts[3].text);
    assert.equal(long.length, maxLength);
    assert.equal(long[long.length - 1], ref.texts[0].ids[ref.texts[0].ids.length - 1]);
  });

  test(`${name}: batches are padded ${family === 'clip' ? "to the batch's longest text" : 'to max_length'} as the reference`, async () => {
    const { text } = await get();
    const batch = text.tokenizer.encodeBatch(ref.texts.map((t) => t.text));
    const rows = ref.batch.inputIds;
    assert.equal(batch.length, rows[0].length);
    assert.deepEqual(Array.from(batch.inputIds, Number), rows.flat());
    if (ref.batch.attentionMask) assert.deepEqual(Array.from(batch.attentionMask, Number), ref.batch.attentionMask.flat());
    const short = text.tokenizer.encodeBatch([ref.texts[0].text]);
    assert.equal(short.length, family === 'clip' ? ref.texts[0].ids.length : 64);
  });

  test(`${name}: text embeddings match PyTorch within 1e-4 and have unit length`, async () => {
    const { text } = await get();
    const embeddings = await text.encodeTexts(ref.texts.map((t) => t.text));
    embeddings.forEach((e, i) => {
      assert.ok(maxAbsDiff(e, ref.texts[i].embedding) < 1e-4, ref.texts[i].text);
      assert.ok(Math.abs(dot(e, e) - 1) < 1e-5);
    });
    // One at a time (different padding for CLIP) gives the same vectors.
    const [single] = await text.encodeTexts([ref.texts[1].text]);
    assert.ok(maxAbsDiff(single, ref.texts[1].embedding) < 1e-4);
    assert.deepEqual(await text.encodeTexts([]), []);
  });

  test(`${name}: pixel tensor of the PIL-prepared image matches numpy within 1e-5`, async () => {
    const { image } = await get();
    for (const r of ref.images) {
      const prepared = await decodeImage(join(folder, r.prepared));
      const { data, dims } = pixelTensor([prepared], image.preprocess);
      assert.deepEqual(dims, [1, 3, 224, 224]);
      assert.ok(maxAbsDiff(r.pixelSamples.index.map((i) => data[i]), r.pixelSamples.value) < 1e-5);
      const plane = 224 * 224;
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let i = 0; i < plane; i++) sum += data[c * plane + i];
        assert.ok(Math.abs(sum / plane - r.pixelChannelMean[c]) < 1e-5);
      }
    }
  });

  test(`${name}: image embeddings and patch tokens match PyTorch within 1e-4`, async () => {
    const { image } = await get();
    const batch = await Promise.all(ref.images.map((r) => decodeImage(join(folder, r.prepared))));
    const encodings = await image.encodePixels(batch, { tokens: true });
    encodings.forEach((e, i) => {
      const r = ref.images[i];
      assert.ok(maxAbsDiff(e.embedding, r.embedding) < 1e-4, r.prepared);
      assert.ok(Math.abs(dot(e.embedding, e.embedding) - 1) < 1e-5);
      assert.ok(e.tokens);
      assert.deepEqual([e.tokens.count, e.tokens.dim], r.tokensShape);
      assert.equal(e.tokens.data.length, r.tokensShape[0] * r.tokensShape[1]);
      r.tokensFirstRows.forEach((row, k) => {
        assert.ok(maxAbsDiff(e.tokens!.data.subarray(k * e.tokens!.dim, (k + 1) * e.tokens!.dim), row) < 1e-4);
      });
    });
    const [plain] = await image.encodePixels([batch[0]]);
    assert.equal(plain.tokens, undefined);
  });

  // sharp (libvips) and PIL resample with the same filters but different fixed-point rounding:
  // pixels may differ by a few levels, never systematically.
  test(`${name}: prepareForModel matches the PIL-prepared pixels within 4 levels (mean < 1) and the embedding within cosine 0.999`, async () => {
    const { image } = await get();
    for (const r of ref.images) {
      const ours = await prepareForModel(join(repoRoot, r.file), image.preprocess, r.box);
      const pil = await decodeImage(join(folder, r.prepared));
      assert.deepEqual([ours.width, ours.height], [pil.width, pil.height]);
      let sum = 0;
      for (let i = 0; i < ours.data.length; i++) sum += Math.abs(ours.data[i] - pil.data[i]);
      assert.ok(maxAbsDiff(ours.data, pil.data) <= 4, r.prepared);
      assert.ok(sum / ours.data.length < 1, r.prepared);
      const [e] = await image.encodePixels([ours]);
      assert.ok(dot(e.embedding, r.embedding) > 0.999, r.prepared);
    }
  });
}

test('tiny-clip fp16 and int8 variants stay close to the fp32 PyTorch embeddings', async () => {
  const folder = join(repoRoot, 'test', 'models', 'tiny-clip');
  const ref = JSON.parse(readFileSync(join(folder, 'reference.json'), 'utf8')) as Reference;
  const pixels = await decodeImage(join(folder, ref.images[0].prepared));
  for (const [dtype, minCosine] of [['fp16', 0.999], ['q8', 0.99]] as const) {
    const encoders = await loadEncoders('tiny-clip', { dtype });
    loaded.push(encoders);
    assert.equal(encoders.info.dtype, dtype);
    const [image] = await encoders.image.encodePixels([pixels]);
    assert.ok(dot(image.embedding, ref.images[0].embedding) > minCosine, dtype);
    const texts = await encoders.text.encodeTexts(ref.texts.map((t) => t.text));
    texts.forEach((e, i) => assert.ok(dot(e, ref.texts[i].embedding) > minCosine, `${dtype} ${ref.texts[i].text}`));
  }
});

test('a missing weight variant is named with the variants that exist', async () => {
  await assert.rejects(loadEncoders('tiny-siglip', { dtype: 'q8' }), /text_model_quantized\.onnx is missing|vision_model_quantized\.onnx is missing/);
  await assert.rejects(loadEncoders('tiny-siglip', { dtype: 'q8' }), /available for vision: fp32/);
});
