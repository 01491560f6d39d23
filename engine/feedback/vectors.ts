// Small dense-vector helpers shared by the feedback formulas. Every function returns a new array and
// never mutates its inputs, so callers can keep the vectors they pass in (index rows, cached texts).

export function dot(a: Float32Array, b: Float32Array): number {
  assertSameDim(a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function l2norm(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** x / ||x||. A zero vector cannot be given a direction, so it is an error rather than NaNs downstream. */
export function normalize(a: Float32Array): Float32Array {
  const n = l2norm(a);
  if (!(n > 0) || !Number.isFinite(n)) throw new Error('cannot normalise a zero or non-finite vector');
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] / n;
  return out;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  const na = l2norm(a);
  const nb = l2norm(b);
  if (!(na > 0) || !(nb > 0)) throw new Error('cosine of a zero vector');
  return dot(a, b) / (na * nb);
}

/** sum_i weights[i] * vectors[i]. */
export function weightedSum(vectors: readonly Float32Array[], weights: readonly number[]): Float32Array {
  if (vectors.length === 0) throw new Error('weighted sum of no vectors');
  if (vectors.length !== weights.length) throw new Error(`${vectors.length} vectors but ${weights.length} weights`);
  const out = new Float32Array(vectors[0].length);
  vectors.forEach((v, k) => {
    assertSameDim(out, v);
    const w = weights[k];
    for (let i = 0; i < v.length; i++) out[i] += w * v[i];
  });
  return out;
}

export function mean(vectors: readonly Float32Array[]): Float32Array {
  return weightedSum(vectors, vectors.map(() => 1 / vectors.length));
}

export function subtract(a: Float32Array, b: Float32Array): Float32Array {
  assertSameDim(a, b);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

/** Softmax of `values / temperature`, shifted by the maximum so that small temperatures do not overflow. */
export function softmax(values: readonly number[], temperature: number): number[] {
  if (!(temperature > 0)) throw new Error(`temperature must be positive, got ${temperature}`);
  const scaled = values.map((v) => v / temperature);
  const top = Math.max(...scaled);
  const exps = scaled.map((v) => Math.exp(v - top));
  const total = exps.reduce((s, e) => s + e, 0);
  return exps.map((e) => e / total);
}

export function assertSameDim(a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) throw new Error(`vector dimensions differ: ${a.length} vs ${b.length}`);
}
