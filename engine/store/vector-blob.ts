// Vectors are stored as little-endian float32 BLOBs.
import { endianness } from 'node:os';

if (endianness() !== 'LE') throw new Error('visualref stores vectors little-endian and needs a little-endian machine');

export function vectorToBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer.slice(vector.byteOffset, vector.byteOffset + vector.byteLength));
}

export function blobToVector(blob: Uint8Array, dim: number): Float32Array {
  if (blob.byteLength !== dim * 4) throw new Error(`stored vector has ${blob.byteLength} bytes, expected ${dim * 4}`);
  const copy = new Uint8Array(blob);
  return new Float32Array(copy.buffer, 0, dim);
}
