// An evaluation collection: a dataset with every image encoded once by the model under test.
import type { ImageEncoder, TextEncoder } from '../engine/types.ts';
import { prepareForModel } from '../engine/images/prepare.ts';
import type { EvalDataset } from './dataset.ts';

export interface EvalCollection {
  dataset: EvalDataset;
  model: string;
  image: ImageEncoder;
  text: TextEncoder;
  /** Row i = the L2-normalised embedding of dataset.images[i]. */
  matrix: Float32Array;
  dim: number;
}

/** Encodes every image of the dataset (batches of `batch`, decoding overlapped within a batch). */
export async function encodeCollection(
  dataset: EvalDataset,
  model: string,
  image: ImageEncoder,
  text: TextEncoder,
  options: { batch?: number; onProgress?: (done: number) => void } = {},
): Promise<EvalCollection> {
  const batch = options.batch ?? 32;
  const dim = image.info.dim;
  const matrix = new Float32Array(dataset.images.length * dim);
  for (let start = 0; start < dataset.images.length; start += batch) {
    const slice = dataset.images.slice(start, start + batch);
    const pixels = await Promise.all(slice.map((entry) => prepareForModel(entry.path, image.preprocess)));
    const encoded = await image.encodePixels(pixels);
    encoded.forEach((e, k) => matrix.set(e.embedding, (start + k) * dim));
    options.onProgress?.(start + slice.length);
  }
  return { dataset, model, image, text, matrix, dim };
}
