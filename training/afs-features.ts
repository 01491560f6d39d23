// Frozen-backbone features for training the attentive feedback summarizer (training/train_afs.py):
// every image's embedding and patch tokens, every caption's embedding and text tokens (the token
// outputs before projection), encoded once with the engine's own encoders so that training sees
// exactly what inference sees. Written as raw little-endian arrays beside a meta.json.
//   node --import tsx training/afs-features.ts --model DIR --captions FILE --images DIR --out DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadEncoders } from '../engine/encoders/load-encoders.ts';
import { backboneOf } from '../engine/feedback/afs/backbone.ts';
import { prepareForModel } from '../engine/images/prepare.ts';
import { loadKarpathyDataset } from '../eval/dataset.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    captions: { type: 'string' },
    images: { type: 'string' },
    out: { type: 'string' },
    limit: { type: 'string' },
  },
});
if (!values.model || !values.captions || !values.out) {
  console.error('usage: afs-features.ts --model DIR --captions FILE [--images DIR] --out DIR [--limit N]');
  process.exit(2);
}

const encoders = await loadEncoders(values.model);
const dataset = await loadKarpathyDataset(values.captions, { imagesDir: values.images });
const images = values.limit ? dataset.images.slice(0, Number(values.limit)) : dataset.images;
const backbone = backboneOf(encoders.info.folder);
mkdirSync(values.out, { recursive: true });

const dim = encoders.info.dim;
const imageEmbeds = new Float32Array(images.length * dim);
let imageTokens: Float32Array | undefined;
let tokenCount = 0;
let imageWidth = 0;
for (let start = 0; start < images.length; start += 64) {
  const slice = images.slice(start, start + 64);
  const pixels = await Promise.all(slice.map((image) => prepareForModel(image.path, encoders.image.preprocess)));
  const encoded = await encoders.image.encodePixels(pixels, { tokens: true });
  encoded.forEach((e, k) => {
    const tokens = e.tokens!;
    if (!imageTokens) {
      tokenCount = tokens.count;
      imageWidth = tokens.dim;
      imageTokens = new Float32Array(images.length * tokenCount * imageWidth);
    }
    imageEmbeds.set(e.embedding, (start + k) * dim);
    imageTokens.set(tokens.data, (start + k) * tokenCount * imageWidth);
  });
  if ((start / 64) % 20 === 0) console.error(`afs features: ${start + slice.length}/${images.length} images`);
}

const captions = images.flatMap((image, i) => image.captions.map((text) => ({ text, image: i })));
const encodedTexts = [];
for (let start = 0; start < captions.length; start += 256) {
  encodedTexts.push(...(await encoders.text.encodeTextTokens(captions.slice(start, start + 256).map((c) => c.text))));
}
const maxLength = Math.max(...encodedTexts.map((e) => e.tokens.count));
const textWidth = encodedTexts[0].tokens.dim;
const textEmbeds = new Float32Array(captions.length * dim);
const textTokens = new Float32Array(captions.length * maxLength * textWidth);
const textLengths = new Int32Array(captions.length);
encodedTexts.forEach((e, m) => {
  textEmbeds.set(e.embedding, m * dim);
  textTokens.set(e.tokens.data, m * maxLength * textWidth);
  textLengths[m] = e.tokens.count;
});

const write = (name: string, array: Float32Array | Int32Array) => writeFileSync(join(values.out!, name), new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
write('image_embeds.f32', imageEmbeds);
write('image_tokens.f32', imageTokens!);
write('text_embeds.f32', textEmbeds);
write('text_tokens.f32', textTokens);
write('text_lengths.i32', textLengths);
write('caption_image.i32', Int32Array.from(captions.map((c) => c.image)));
writeFileSync(
  join(values.out, 'meta.json'),
  JSON.stringify(
    {
      backbone,
      images: images.length,
      captions: captions.length,
      embedDim: dim,
      imageTokens: tokenCount,
      imageWidth,
      textWidth,
      maxTextLength: maxLength,
    },
    null,
    1,
  ),
);
await encoders.image.dispose();
await encoders.text.dispose();
console.error(`afs features: ${images.length} images, ${captions.length} captions → ${values.out}`);
