// Model-ready RGB images → one float32 NCHW batch: (pixel × rescaleFactor − mean) / std per channel.
import type { PreprocessSpec, RgbImage } from '../types.ts';

export interface PixelBatch {
  data: Float32Array;
  dims: [number, number, number, number];
}

export function pixelTensor(batch: RgbImage[], spec: PreprocessSpec): PixelBatch {
  const width = spec.cropWidth;
  const height = spec.cropHeight;
  const plane = width * height;
  const data = new Float32Array(batch.length * 3 * plane);
  // Per channel, value = pixel × scale + offset (a lookup table: 256 entries per channel).
  const tables = [0, 1, 2].map((c) => {
    const table = new Float32Array(256);
    for (let v = 0; v < 256; v++) table[v] = (v * spec.rescaleFactor - spec.mean[c]) / spec.std[c];
    return table;
  });
  const [t0, t1, t2] = tables;
  batch.forEach((image, n) => {
    if (image.width !== width || image.height !== height || image.data.length !== plane * 3) {
      throw new RangeError(`image ${n} is ${image.width}x${image.height}; the model needs ${width}x${height} (prepare it first)`);
    }
    const src = image.data;
    const base = n * 3 * plane;
    for (let i = 0, p = 0; i < plane; i++, p += 3) {
      data[base + i] = t0[src[p]];
      data[base + plane + i] = t1[src[p + 1]];
      data[base + 2 * plane + i] = t2[src[p + 2]];
    }
  });
  return { data, dims: [batch.length, 3, height, width] };
}
