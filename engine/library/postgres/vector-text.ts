// pgvector's text form of a vector ('[0.1,0.2,...]'), the form the pg client sends and receives.
export function toVectorText(vector: Float32Array): string {
  return `[${Array.prototype.join.call(vector, ',')}]`;
}

export function fromVectorText(text: string): Float32Array {
  return Float32Array.from(JSON.parse(text) as number[]);
}
