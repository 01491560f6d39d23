// The vector index file is a cache of the database's vectors: a vector changed in the file (a flipped
// bit, a tampered file) would change results with no error. On open, a sample of the index's vectors
// is compared with the database's; any difference means the file cannot be trusted and is rebuilt.
import type { VectorIndex } from '../types.ts';

/** Largest difference tolerated per value (the index may store what it was given re-normalised). */
const tolerance = 1e-4;

/**
 * The first id among up to `sample` of `ids` (all of them when there are fewer; otherwise evenly
 * spread from a random start) whose vector in `index` differs from `stored(id)`, or undefined.
 */
export function findIndexMismatch(index: VectorIndex, ids: readonly number[], stored: (id: number) => Float32Array | undefined, sample: number): number | undefined {
  const step = Math.max(1, ids.length / sample);
  const start = ids.length > sample ? Math.random() * step : 0;
  for (let k = start; k < ids.length; k += step) {
    const id = ids[Math.floor(k)];
    const expected = stored(id);
    const actual = index.getVector(id);
    if (!expected || !actual || actual.length !== expected.length) return id;
    for (let i = 0; i < expected.length; i++) {
      if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) return id;
    }
  }
  return undefined;
}
