// L2 normalisation of embedding rows (cosine similarity then equals the dot product).

/** Copies row `index` of a [rows, dim] matrix and scales it to unit length (zero rows stay zero). */
export function normalizedRow(matrix: Float32Array, index: number, dim: number): Float32Array {
  const row = matrix.slice(index * dim, (index + 1) * dim);
  let sum = 0;
  for (let i = 0; i < dim; i++) sum += row[i] * row[i];
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < dim; i++) row[i] /= norm;
  return row;
}
