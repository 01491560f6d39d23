// The hot loop of region re-ranking (every mark against every region of every candidate) in
// WebAssembly SIMD: 4 float32 lanes instead of one scalar multiply-add, about 3x faster than the
// plain JavaScript reference (engine/regions/region-score.ts bestMatches), whose results it matches
// to float32 rounding. similarities.wasm is built from similarities.wat by `npm run build:wasm`.
import { readFileSync } from 'node:fs';
import { bestMatches, type BestMatch, type CandidateRegion, type RegionMark } from '../region-score.ts';
import { l2norm } from '../../feedback/vectors.ts';

interface KernelExports {
  memory: WebAssembly.Memory;
  dots(marks: number, nMarks: number, regions: number, count: number, dim: number, out: number): void;
  squaredNorms(regions: number, count: number, dim: number, out: number): void;
}

let compiled: WebAssembly.Module | undefined;

function kernelModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(readFileSync(new URL('./similarities.wasm', import.meta.url)));
  return compiled;
}

const PAGE = 65_536;

/** The region vectors of one candidate: a row-major count × dim matrix, or its rows. */
export type RegionRows = Float32Array | readonly Float32Array[];

function rowCount(set: RegionRows, dim: number): number {
  if (!(set instanceof Float32Array)) return set.length;
  if (set.length % dim !== 0) throw new Error(`vector dimensions differ: a matrix of ${set.length} values is not rows of ${dim}`);
  return set.length / dim;
}

/** Best-match finding in the kernel's memory, which grows to the largest call and is kept for the next. */
export class SimdMatchFinder {
  private readonly kernel = new WebAssembly.Instance(kernelModule()).exports as unknown as KernelExports;
  private heap = new Float32Array(this.kernel.memory.buffer);
  private markNorms: number[] = [];

  /** The kernel reads rows 8 floats at a time; other dimensions use the JavaScript reference. */
  static supports(dim: number): boolean {
    return dim > 0 && dim % 8 === 0;
  }

  readonly find = (marks: readonly RegionMark[], regions: readonly CandidateRegion[]): BestMatch[] => {
    const dim = marks[0]?.vector.length ?? 0;
    if (!SimdMatchFinder.supports(dim)) return bestMatches(marks, regions);
    return this.findMany(marks, [regions.map((r) => r.vector)])[0];
  };

  /**
   * Each mark's best region in each of many region sets (a re-rank's candidates), with one kernel call
   * for all of them: a set is a row-major count × dim matrix or a list of rows. dim must be supported.
   */
  findMany(marks: readonly RegionMark[], sets: readonly RegionRows[]): BestMatch[][] {
    const dim = marks[0]?.vector.length ?? 0;
    if (!SimdMatchFinder.supports(dim)) throw new Error(`the kernel needs a dimension that is a multiple of 8, not ${dim}`);
    const counts = sets.map((set) => rowCount(set, dim));
    const total = counts.reduce((sum, c) => sum + c, 0);
    // Layout (float offsets): marks [M x dim], regions [total x dim], dots [M x total], norms [total].
    const regionsAt = marks.length * dim;
    const dotsAt = regionsAt + total * dim;
    const normsAt = dotsAt + marks.length * total;
    this.reserve((normsAt + total) * 4);
    this.loadMarks(marks, dim);
    let at = regionsAt;
    for (const set of sets) {
      if (set instanceof Float32Array) {
        this.heap.set(set, at);
        at += set.length;
        continue;
      }
      for (const row of set) {
        if (row.length !== dim) throw new Error(`vector dimensions differ: ${dim} vs ${row.length}`);
        this.heap.set(row, at);
        at += dim;
      }
    }
    this.kernel.squaredNorms(regionsAt * 4, total, dim, normsAt * 4);
    this.kernel.dots(0, marks.length, regionsAt * 4, total, dim, dotsAt * 4);
    const heap = this.heap;
    const norms = new Float64Array(total);
    for (let r = 0; r < total; r++) {
      norms[r] = Math.sqrt(heap[normsAt + r]);
      if (!(norms[r] > 0)) throw new Error('cosine of a zero vector');
    }
    let first = 0;
    return counts.map((count) => {
      const found = this.markNorms.map((markNorm, m) => {
        let best = -Infinity;
        let index = 0;
        const row = dotsAt + m * total + first;
        for (let r = 0; r < count; r++) {
          const s = heap[row + r] / (markNorm * norms[first + r]);
          if (s > best) {
            best = s;
            index = r;
          }
        }
        return { index, similarity: best };
      });
      first += count;
      return found;
    });
  }

  private loadMarks(marks: readonly RegionMark[], dim: number): void {
    this.markNorms = marks.map(({ vector }, m) => {
      if (vector.length !== dim) throw new Error(`vector dimensions differ: ${dim} vs ${vector.length}`);
      this.heap.set(vector, m * dim);
      const norm = l2norm(vector);
      if (!(norm > 0)) throw new Error('cosine of a zero vector');
      return norm;
    });
  }

  /** Grows the memory to at least `bytes` (its contents stay; the heap view is renewed). */
  private reserve(bytes: number): void {
    const memory = this.kernel.memory;
    if (memory.buffer.byteLength >= bytes) return;
    memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    this.heap = new Float32Array(memory.buffer);
  }
}
