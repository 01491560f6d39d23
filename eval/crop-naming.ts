// Does the model understand parts of images? Each annotated single object is cut out of its scene
// (tight box) and named by the nearest of all "colour shape" phrases; the share named right is what
// region feedback can build on (a model that sees only whole scenes names crops at chance).
import { dot } from '../engine/feedback/vectors.ts';
import { prepareForModel } from '../engine/images/prepare.ts';
import type { ImageEncoder, TextEncoder } from '../engine/types.ts';
import { colourShapePhrase } from '../engine/world/captions.ts';
import { colourNames, shapes } from '../engine/world/vocabulary.ts';
import type { EvalDataset } from './dataset.ts';

export interface CropNaming {
  /** Share of object crops whose best phrase has the object's colour and shape. */
  accuracy: number;
  objects: number;
  phrases: number;
}

const BATCH = 64;

/** Undefined when the collection has no annotated objects (anything but a rendered world). */
export async function cropNaming(dataset: EvalDataset, image: ImageEncoder, text: TextEncoder): Promise<CropNaming | undefined> {
  const crops = dataset.images.flatMap((im) => (im.objects ?? []).map((object) => ({ object, path: im.path })));
  if (crops.length === 0) return undefined;
  const phrases = colourNames.flatMap((colour) => shapes.map((shape) => ({ colour, shape })));
  const phraseVectors = await text.encodeTexts(phrases.map((p) => colourShapePhrase(p.colour, p.shape)));
  let correct = 0;
  for (let start = 0; start < crops.length; start += BATCH) {
    const batch = crops.slice(start, start + BATCH);
    const pixels = await Promise.all(
      batch.map(({ object, path }) => {
        const [x, y, w, h] = object.box;
        return prepareForModel(path, image.preprocess, { x, y, w, h });
      }),
    );
    const encoded = await image.encodePixels(pixels);
    encoded.forEach((e, i) => {
      let best = 0;
      let bestScore = -Infinity;
      phraseVectors.forEach((v, p) => {
        const s = dot(e.embedding, v);
        if (s > bestScore) {
          bestScore = s;
          best = p;
        }
      });
      const named = phrases[best];
      if (named.colour === batch[i].object.colour && named.shape === batch[i].object.shape) correct++;
    });
  }
  return { accuracy: correct / crops.length, objects: crops.length, phrases: phrases.length };
}
