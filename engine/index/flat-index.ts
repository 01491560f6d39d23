// Exact (brute-force) cosine index: the reference for recall measurements and the better choice for
// small collections. Vectors are kept normalised in one growable buffer.
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { SearchHit } from '../types.ts';
import type { PersistentIndex } from './persistent-index.ts';
import { writeFileAtomically } from './atomic-file.ts';

const MAGIC = 'VRFLAT01';
const HEADER_BYTES = 16; // magic (8) + dim (u32) + count (u32)

function normalised(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i] * vector[i];
  const norm = Math.sqrt(sum) || 1;
  const out = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) out[i] = vector[i] / norm;
  return out;
}

export class FlatIndex implements PersistentIndex {
  readonly kind = 'flat';
  private vectors: Float32Array;
  /** Slot → id, and id → slot; removal moves the last slot into the hole. */
  private slotIds: number[] = [];
  private readonly slots = new Map<number, number>();

  private constructor(
    readonly file: string,
    readonly dim: number,
  ) {
    this.vectors = new Float32Array(dim * 256);
  }

  static create(file: string, dim: number): FlatIndex {
    return new FlatIndex(file, dim);
  }

  /** Reads `file`; throws when it is unreadable, truncated or of another dimension. */
  static load(file: string, dim: number): FlatIndex {
    const bytes = readFileSync(file);
    if (bytes.length < HEADER_BYTES || bytes.toString('latin1', 0, 8) !== MAGIC) throw new Error(`${file} is not a flat index`);
    const fileDim = bytes.readUInt32LE(8);
    const count = bytes.readUInt32LE(12);
    if (fileDim !== dim) throw new Error(`index ${file} holds ${fileDim}-d vectors, expected ${dim}`);
    const expected = HEADER_BYTES + count * 8 + count * dim * 4;
    if (bytes.length !== expected) throw new Error(`${file} is truncated (${bytes.length} bytes, expected ${expected})`);
    const index = new FlatIndex(file, dim);
    const copy = new Uint8Array(bytes.subarray(HEADER_BYTES)).buffer;
    const ids = new Float64Array(copy, 0, count);
    const vectors = new Float32Array(copy, count * 8, count * dim);
    index.vectors = new Float32Array(Math.max(count, 256) * dim);
    index.vectors.set(vectors);
    index.slotIds = Array.from(ids);
    index.slotIds.forEach((id, slot) => index.slots.set(id, slot));
    return index;
  }

  get size(): number {
    return this.slotIds.length;
  }

  ids(): IterableIterator<number> {
    return this.slots.keys();
  }

  has(id: number): boolean {
    return this.slots.has(id);
  }

  upsert(id: number, vector: Float32Array): void {
    if (vector.length !== this.dim) throw new Error(`vector of length ${vector.length}, index is ${this.dim}-d`);
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.slotIds.length;
      if ((slot + 1) * this.dim > this.vectors.length) {
        const grown = new Float32Array(this.vectors.length * 2);
        grown.set(this.vectors);
        this.vectors = grown;
      }
      this.slotIds.push(id);
      this.slots.set(id, slot);
    }
    this.vectors.set(normalised(vector), slot * this.dim);
  }

  remove(id: number): void {
    const slot = this.slots.get(id);
    if (slot === undefined) return;
    const last = this.slotIds.length - 1;
    if (slot !== last) {
      const movedId = this.slotIds[last];
      this.vectors.copyWithin(slot * this.dim, last * this.dim, (last + 1) * this.dim);
      this.slotIds[slot] = movedId;
      this.slots.set(movedId, slot);
    }
    this.slotIds.pop();
    this.slots.delete(id);
  }

  getVector(id: number): Float32Array | undefined {
    const slot = this.slots.get(id);
    if (slot === undefined) return undefined;
    return this.vectors.slice(slot * this.dim, (slot + 1) * this.dim);
  }

  search(query: Float32Array, k: number, options: { filter?: (id: number) => boolean } = {}): SearchHit[] {
    if (k <= 0) return [];
    const q = normalised(query);
    const { dim, vectors } = this;
    // Keep the best k in a small sorted array: k is tiny next to the collection.
    const best: SearchHit[] = [];
    for (let slot = 0; slot < this.slotIds.length; slot++) {
      const id = this.slotIds[slot];
      let score = 0;
      const base = slot * dim;
      for (let i = 0; i < dim; i++) score += q[i] * vectors[base + i];
      if (best.length === k && score <= best[k - 1].score) continue;
      if (options.filter && !options.filter(id)) continue;
      let at = best.length;
      while (at > 0 && best[at - 1].score < score) at--;
      best.splice(at, 0, { id, score });
      if (best.length > k) best.pop();
    }
    return best;
  }

  save(): void {
    const count = this.slotIds.length;
    const bytes = Buffer.alloc(HEADER_BYTES + count * 8 + count * this.dim * 4);
    bytes.write(MAGIC, 0, 'latin1');
    bytes.writeUInt32LE(this.dim, 8);
    bytes.writeUInt32LE(count, 12);
    Buffer.from(Float64Array.from(this.slotIds).buffer).copy(bytes, HEADER_BYTES);
    Buffer.from(this.vectors.buffer, this.vectors.byteOffset, count * this.dim * 4).copy(bytes, HEADER_BYTES + count * 8);
    writeFileAtomically(this.file, bytes);
  }

  fileBytes(): number {
    return existsSync(this.file) ? statSync(this.file).size : 0;
  }
}
