// Approximate nearest-neighbour index over hnswlib (cosine space). Labels are image ids; removal marks
// the element deleted and later additions reuse its slot; capacity grows on demand.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import hnswlib from 'hnswlib-node';
import type { SearchHit } from '../types.ts';
import type { HnswParams } from './config.ts';
import type { PersistentIndex } from './persistent-index.ts';
import { replaceFileAtomically } from './atomic-file.ts';

const { HierarchicalNSW } = hnswlib;
type Hnsw = InstanceType<typeof HierarchicalNSW>;

/**
 * The vector size recorded in an hnswlib file header (label_offset - offset_data, in floats).
 * hnswlib itself trusts the caller's dimension, so a mismatch must be caught before loading.
 */
function savedDimension(file: string): number {
  const header = Buffer.alloc(48);
  const fd = openSync(file, 'r');
  try {
    if (readSync(fd, header, 0, 48, 0) < 48) throw new Error(`${file} is too short to be an HNSW index`);
  } finally {
    closeSync(fd);
  }
  const labelOffset = Number(header.readBigUInt64LE(32));
  const dataOffset = Number(header.readBigUInt64LE(40));
  return (labelOffset - dataOffset) / 4;
}

export class HnswIndex implements PersistentIndex {
  readonly kind = 'hnsw';
  private readonly hnsw: Hnsw;
  private readonly live = new Set<number>();
  /** Labels marked deleted that may still sit in the graph (their slot may since have been reused). */
  private readonly removed = new Set<number>();

  private constructor(
    readonly file: string,
    readonly dim: number,
    private readonly params: HnswParams,
    load: boolean,
  ) {
    this.hnsw = new HierarchicalNSW('cosine', dim);
    if (load) {
      const saved = savedDimension(file);
      if (saved !== dim) throw new Error(`index ${file} holds ${saved}-d vectors, expected ${dim}`);
      this.hnsw.readIndexSync(file, true);
      for (const id of this.hnsw.getIdsList()) {
        if (this.isLiveInGraph(id)) this.live.add(id);
        else this.removed.add(id);
      }
    } else {
      this.hnsw.initIndex({
        maxElements: params.growBy,
        m: params.m,
        efConstruction: params.efConstruction,
        allowReplaceDeleted: true,
      });
    }
  }

  /** An empty index that will be saved to `file`. */
  static create(file: string, dim: number, params: HnswParams): HnswIndex {
    return new HnswIndex(file, dim, params, false);
  }

  /** Reads `file`; throws when it is unreadable or of another dimension. */
  static load(file: string, dim: number, params: HnswParams): HnswIndex {
    return new HnswIndex(file, dim, params, true);
  }

  get size(): number {
    return this.live.size;
  }

  ids(): IterableIterator<number> {
    return this.live.values();
  }

  has(id: number): boolean {
    return this.live.has(id);
  }

  upsert(id: number, vector: Float32Array): void {
    if (vector.length !== this.dim) throw new Error(`vector of length ${vector.length}, index is ${this.dim}-d`);
    const point = Array.from(vector);
    if (this.live.has(id)) {
      this.hnsw.addPoint(point, id, false);
    } else if (this.removed.has(id) && this.tryUnmarkDelete(id)) {
      this.hnsw.addPoint(point, id, false);
    } else {
      this.ensureRoomForOneMore();
      this.hnsw.addPoint(point, id, true);
    }
    this.removed.delete(id);
    this.live.add(id);
  }

  remove(id: number): void {
    if (!this.live.has(id)) return;
    this.hnsw.markDelete(id);
    this.live.delete(id);
    this.removed.add(id);
  }

  getVector(id: number): Float32Array | undefined {
    if (!this.live.has(id)) return undefined;
    return Float32Array.from(this.hnsw.getPoint(id));
  }

  search(query: Float32Array, k: number, options: { ef?: number; filter?: (id: number) => boolean } = {}): SearchHit[] {
    const n = Math.min(k, this.live.size);
    if (n <= 0) return [];
    this.hnsw.setEf(Math.max(options.ef ?? this.params.efSearch, n));
    const result = this.hnsw.searchKnn(Array.from(query), n, options.filter);
    return result.neighbors.map((id, i) => ({ id, score: 1 - result.distances[i] }));
  }

  save(): void {
    replaceFileAtomically(this.file, (temp) => this.hnsw.writeIndexSync(temp));
  }

  fileBytes(): number {
    return existsSync(this.file) ? statSync(this.file).size : 0;
  }

  private isLiveInGraph(id: number): boolean {
    try {
      this.hnsw.getPoint(id);
      return true;
    } catch {
      return false;
    }
  }

  private tryUnmarkDelete(id: number): boolean {
    try {
      this.hnsw.unmarkDelete(id);
      return true;
    } catch {
      // The slot was reused by another label: the id is no longer in the graph.
      return false;
    }
  }

  private ensureRoomForOneMore(): void {
    const max = this.hnsw.getMaxElements();
    if (this.hnsw.getCurrentCount() < max) return;
    this.hnsw.resizeIndex(max + Math.max(this.params.growBy, Math.floor(max / 2)));
  }
}
