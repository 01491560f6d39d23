// The offline phrase captioner with a real (tiny, untrained) CLIP model: the caption and the scores it
// reports are what the encoders give, stage by stage, and bank embeddings are computed once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadEncoders } from '../engine/encoders/load-encoders.ts';
import { prepareForModel } from '../engine/images/prepare.ts';
import { cropImage } from '../engine/images/crop.ts';
import { ClipPhraseCaptioner, type PhraseEmbedder } from '../engine/captioners/clip-phrases.ts';
import { loadPhraseBanks } from '../engine/captioners/config.ts';
import type { RgbImage } from '../engine/types.ts';

const tinyClip = join(import.meta.dirname, 'models', 'tiny-clip');

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function scene(): RgbImage {
  const width = 120;
  const height = 80;
  const data = new Uint8Array(width * height * 3).fill(60);
  for (let y = 20; y < 60; y++) for (let x = 70; x < 110; x++) data.set([220, 30, 30], (y * width + x) * 3);
  return { data, width, height };
}

test('the caption is filled slot by slot and its scores are the cosines of the encoders', async () => {
  const encoders = await loadEncoders(tinyClip);
  let textsEncoded = 0;
  const embedder: PhraseEmbedder = {
    id: 'tiny-clip-test',
    async encodeImage(image) {
      const [e] = await encoders.image.encodePixels([await prepareForModel(image, encoders.image.preprocess)]);
      return e.embedding;
    },
    async encodeTexts(texts) {
      textsEncoded += texts.length;
      return encoders.text.encodeTexts(texts);
    },
  };
  try {
    const world = loadPhraseBanks().world;
    const captioner = new ClipPhraseCaptioner(embedder, { name: 'world-phrases', banks: [{ name: 'world', bank: world }], top: 5 });
    const image = scene();
    const box = { x: 70, y: 20, w: 40, h: 40 };
    const [result] = await captioner.caption([{ image, box }]);

    // By hand: the crop's embedding against every "a colour shape", then the patterns of the best.
    const crop = await embedder.encodeImage(cropImage(image, box));
    const article = (p: string) => `${/^[aeiou]/.test(p) ? 'an' : 'a'} ${p}`;
    const colours = world.slots!.colour;
    const shapes = world.slots!.shape;
    const stage1 = colours.flatMap((c) => shapes.map((s) => ({ c, s, phrase: article(`${c} ${s}`) })));
    const v1 = await encoders.text.encodeTexts(stage1.map((p) => p.phrase));
    const best1 = stage1[v1.map((v) => dot(crop, v)).reduce((bi, x, i, all) => (x > all[bi] ? i : bi), 0)];
    const stage2 = world.slots!.pattern.map((p) => article(`${best1.c} ${p} ${best1.s}`));
    const v2 = await encoders.text.encodeTexts(stage2);
    const s2 = v2.map((v) => dot(crop, v));
    const best2 = stage2[s2.indexOf(Math.max(...s2))];
    assert.equal(result.text, best2);
    assert.match(result.text, /^an? \w+ (plain|striped|dotted|checkered) \w+$/);

    assert.equal(result.scores?.length, 5);
    const scores = result.scores!;
    for (let i = 1; i < scores.length; i++) assert.ok(scores[i - 1].score >= scores[i].score);
    for (const { phrase, score } of scores) {
      const [v] = await encoders.text.encodeTexts([phrase]);
      assert.ok(Math.abs(dot(crop, v) - score) < 1e-5, `${phrase}: ${score} vs ${dot(crop, v)}`);
    }
    assert.equal(result.model, 'world-phrases:tiny-clip-test');

    // The first caption embedded 88 + 4 phrases; another box needs at most its 4 new pattern phrases.
    assert.equal(textsEncoded, 88 + 4);
    await captioner.caption([{ image, box: { x: 0, y: 0, w: 60, h: 80 } }]);
    assert.ok(textsEncoded <= 88 + 8, `${textsEncoded - 92} more phrases encoded`);
    const again = textsEncoded;
    await captioner.caption([{ image, box }]);
    assert.equal(textsEncoded, again);

    // The version names the phrases: another bank, another version.
    const other = new ClipPhraseCaptioner(embedder, { name: 'p', banks: [{ name: 'photo', bank: loadPhraseBanks().photo }], top: 3 });
    assert.match(captioner.versionFor(), /^phrases-[0-9a-f]{12}$/);
    assert.notEqual(other.versionFor(), captioner.versionFor());
    const [listed] = await other.caption([{ image }]);
    assert.equal(listed.text, listed.scores![0].phrase);
    assert.ok(loadPhraseBanks().photo.phrases!.map(article).includes(listed.text));
  } finally {
    await encoders.image.dispose();
    await encoders.text.dispose();
  }
});
