// Deterministic synthetic embeddings for the index benchmarks: the same seed always gives the same
// vectors, so a stream can be regenerated (for exact search over a million vectors) instead of kept.

/** Deterministic standard normal numbers (mulberry32 + Box-Muller), so runs are comparable. */
export function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() || 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

export function randomUnitVector(next: () => number, dim: number): Float32Array {
  const v = new Float32Array(dim);
  let sum = 0;
  for (let i = 0; i < dim; i++) {
    v[i] = next();
    sum += v[i] * v[i];
  }
  const norm = Math.sqrt(sum);
  for (let i = 0; i < dim; i++) v[i] /= norm;
  return v;
}

/** One point near a random centre: 0.5 mean + centre + 0.5 noise, normalised. */
function clusteredPoint(next: () => number, mean: Float32Array, centres: Float32Array[]): Float32Array {
  const dim = mean.length;
  const centre = centres[Math.floor(Math.abs(next() * 1e6)) % centres.length];
  const noise = randomUnitVector(next, dim);
  const v = new Float32Array(dim);
  let sum = 0;
  for (let i = 0; i < dim; i++) {
    v[i] = 0.5 * mean[i] + centre[i] + 0.5 * noise[i];
    sum += v[i] * v[i];
  }
  const norm = Math.sqrt(sum);
  for (let i = 0; i < dim; i++) v[i] /= norm;
  return v;
}

/**
 * Embedding-like data: points around `clusters` random centres plus a shared mean direction, so that
 * near neighbours are clearly nearer than the rest (cosine ≈ 0.8 inside a cluster), as with CLIP
 * image embeddings. Isotropic random vectors have no such structure and are a worst case.
 */
export function clusteredSource(next: () => number, dim: number, clusters = 1000): () => Float32Array {
  const mean = randomUnitVector(next, dim);
  const centres = Array.from({ length: clusters }, () => randomUnitVector(next, dim));
  return () => clusteredPoint(next, mean, centres);
}

/**
 * Clustered vectors in independent streams sharing one set of centres: `stream(s)` yields the same
 * sequence every time it is called with the same `s` (data and queries use different streams), so
 * a million vectors can be generated again for exact search instead of being kept in memory.
 */
export function clusteredStreams(seed: number, dim: number, clusters = 1000): (stream: number) => () => Float32Array {
  const next = gaussian(seed);
  const mean = randomUnitVector(next, dim);
  const centres = Array.from({ length: clusters }, () => randomUnitVector(next, dim));
  return (stream) => {
    const noise = gaussian(seed * 7919 + stream * 104729 + 1);
    return () => clusteredPoint(noise, mean, centres);
  };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
