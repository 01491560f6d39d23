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

/**
 * A BestMatchFinder for one re-ranking: the marks are copied into the kernel's memory once, on the
 * first candidate, and reused for every other (the re-ranker passes the same marks array each time).
 */
export class SimdMatchFinder {
  private readonly kernel = new WebAssembly.Instance(kernelModule()).exports as unknown as KernelExports;
  private heap = new Float32Array(this.kernel.memory.buffer);
  private marks?: readonly RegionMark[];
  private markNorms: number[] = [];

  /** The kernel reads rows 8 floats at a time; other dimensions use the JavaScript reference. */
  static supports(dim: number): boolean {
    return dim > 0 && dim % 8 === 0;
  }

  readonly find = (marks: readonly RegionMark[], regions: readonly CandidateRegion[]): BestMatch[] => {
    const dim = marks[0]?.vector.length ?? 0;
    if (!SimdMatchFinder.supports(dim)) return bestMatches(marks, regions);
    const count = regions.length;
    // Layout (float offsets): marks [M x dim], regions [count x dim], dots [M x count], norms [count].
    const regionsAt = marks.length * dim;
    const dotsAt = regionsAt + count * dim;
    const normsAt = dotsAt + marks.length * count;
    this.reserve((normsAt + count) * 4);
    if (marks !== this.marks) this.loadMarks(marks, dim);
    for (let r = 0; r < count; r++) {
      const v = regions[r].vector;
      if (v.length !== dim) throw new Error(`vector dimensions differ: ${dim} vs ${v.length}`);
      this.heap.set(v, regionsAt + r * dim);
    }
    this.kernel.squaredNorms(regionsAt * 4, count, dim, normsAt * 4);
    this.kernel.dots(0, marks.length, regionsAt * 4, count, dim, dotsAt * 4);
    const norms = new Float64Array(count);
    for (let r = 0; r < count; r++) {
      norms[r] = Math.sqrt(this.heap[normsAt + r]);
      if (!(norms[r] > 0)) throw new Error('cosine of a zero vector');
    }
    return this.markNorms.map((markNorm, m) => {
      let best = -Infinity;
      let index = 0;
      for (let r = 0; r < count; r++) {
        const s = this.heap[dotsAt + m * count + r] / (markNorm * norms[r]);
        if (s > best) {
          best = s;
          index = r;
        }
      }
      return { index, similarity: best };
    });
  };

  private loadMarks(marks: readonly RegionMark[], dim: number): void {
    this.markNorms = marks.map(({ vector }, m) => {
      if (vector.length !== dim) throw new Error(`vector dimensions differ: ${dim} vs ${vector.length}`);
      this.heap.set(vector, m * dim);
      const norm = l2norm(vector);
      if (!(norm > 0)) throw new Error('cosine of a zero vector');
      return norm;
    });
    this.marks = marks;
  }

  /** Grows the memory to at least `bytes` (its contents stay; the heap view is renewed). */
  private reserve(bytes: number): void {
    const memory = this.kernel.memory;
    if (memory.buffer.byteLength >= bytes) return;
    memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    this.heap = new Float32Array(memory.buffer);
  }
}
