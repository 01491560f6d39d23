// The SIMD kernel of region re-ranking against the plain JavaScript reference of the formula.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bestMatches, type CandidateRegion, type RegionMark } from '../engine/regions/region-score.ts';
import { assembleKernel } from '../engine/regions/kernels/build-wasm.ts';
import { SimdMatchFinder } from '../engine/regions/kernels/simd-match-finder.ts';
import { rerankByRegions } from '../engine/regions/rerank.ts';
import type { RegionMatrix } from '../engine/regions/region-store.ts';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function vector(rand: () => number, dim: number): Float32Array {
  return Float32Array.from({ length: dim }, () => rand() * 2 - 1);
}

function marksOf(rand: () => number, count: number, dim: number): RegionMark[] {
  return Array.from({ length: count }, (_, i) => ({ label: `m${i}`, vector: vector(rand, dim), relevant: i % 2 === 0 }));
}

function regionsOf(rand: () => number, count: number, dim: number): CandidateRegion[] {
  return Array.from({ length: count }, (_, i) => ({ box: { x: i, y: 0, w: 4, h: 4 }, vector: vector(rand, dim) }));
}

test('the committed similarities.wasm is what similarities.wat assembles to', async () => {
  const committed = readFileSync(new URL('../engine/regions/kernels/similarities.wasm', import.meta.url));
  assert.ok(committed.equals(await assembleKernel()), 'run npm run build:wasm after editing similarities.wat');
});

test('SIMD best matches equal the JavaScript reference for any number of marks and regions', () => {
  const rand = rng(7);
  const finder = new SimdMatchFinder();
  // Growing region counts make the kernel grow its memory between calls; new marks are reloaded.
  for (const dim of [128, 512]) {
    for (const markCount of [1, 3, 4, 5, 16]) {
      const marks = marksOf(rand, markCount, dim);
      for (const regionCount of [1, 7, 40, 300]) {
        const regions = regionsOf(rand, regionCount, dim);
        const simd = finder.find(marks, regions);
        const reference = bestMatches(marks, regions);
        simd.forEach((got, m) => {
          const want = reference[m];
          const close = Math.abs(got.similarity - want.similarity) < 1e-5;
          // A different index is only acceptable for a near-tie.
          const tie = Math.abs(got.similarity - bestMatches([marks[m]], [regions[got.index]])[0].similarity) < 1e-5;
          assert.ok(close && (got.index === want.index || tie), `dim ${dim}, ${markCount} marks, ${regionCount} regions, mark ${m}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
        });
      }
    }
  }
});

test('dimensions the kernel cannot take use the reference; zero and mismatched vectors are refused', () => {
  const rand = rng(8);
  const finder = new SimdMatchFinder();
  const marks = marksOf(rand, 3, 12);
  const regions = regionsOf(rand, 5, 12);
  assert.equal(SimdMatchFinder.supports(12), false);
  assert.deepEqual(finder.find(marks, regions), bestMatches(marks, regions));
  const wide = marksOf(rand, 2, 16);
  assert.throws(() => finder.find(wide, [{ box: { x: 0, y: 0, w: 1, h: 1 }, vector: new Float32Array(16) }]), /zero vector/);
  assert.throws(() => finder.find(wide, regionsOf(rand, 2, 24)), /dimensions differ: 16 vs 24/);
});

test('the engine re-ranker (SIMD) orders and scores candidates as the reference formula does', () => {
  const rand = rng(9);
  const dim = 64;
  const matrices = new Map<number, RegionMatrix>();
  for (let id = 0; id < 60; id++) {
    const count = 1 + (id % 9);
    const flat = new Float32Array(count * dim);
    regionsOf(rand, count, dim).forEach((r, i) => flat.set(r.vector, i * dim));
    matrices.set(id, { count, vectors: flat, boxes: Array.from({ length: count }, (_, i) => ({ x: i, y: id, w: 3, h: 3 })), sources: Array.from({ length: count }, () => 'proposer' as const) });
  }
  const candidates = Array.from({ length: 60 }, (_, id) => ({ id, score: rand() }));
  const marks = marksOf(rand, 6, dim);
  const ranked = rerankByRegions(candidates, marks, { lambda: 1, mu: 0.5, regionsOf: (id) => matrices.get(id) });
  for (const item of ranked) {
    const m = matrices.get(item.id)!;
    const regions = m.boxes.map((box, r) => ({ box, vector: m.vectors.subarray(r * dim, (r + 1) * dim) }));
    const best = bestMatches(marks, regions);
    const mean = (relevant: boolean) => {
      const sims = best.filter((_, i) => marks[i].relevant === relevant).map((b) => b.similarity);
      return sims.reduce((s, x) => s + x, 0) / sims.length;
    };
    assert.ok(Math.abs(item.score - (item.globalScore + mean(true) - 0.5 * mean(false))) < 1e-5, `image ${item.id}`);
  }
  for (let i = 1; i < ranked.length; i++) assert.ok(ranked[i - 1].score >= ranked[i].score);
});

test('one kernel call for all candidates: each keeps its own best regions; without regions the whole image or nothing', () => {
  const rand = rng(10);
  const dim = 32;
  const marks = marksOf(rand, 3, dim);
  const stored = regionsOf(rand, 4, dim);
  const flat = new Float32Array(4 * dim);
  stored.forEach((r, i) => flat.set(r.vector, i * dim));
  const matrix: RegionMatrix = { count: 4, vectors: flat, boxes: stored.map((r) => r.box), sources: stored.map(() => 'proposer' as const) };
  const whole = vector(rand, dim);
  const ranked = rerankByRegions(
    [
      { id: 1, score: 0.5 },
      { id: 2, score: 0.4 },
      { id: 3, score: 0.3 },
    ],
    marks,
    { lambda: 1, mu: 1, regionsOf: (id) => (id === 1 ? matrix : undefined), fallbackOf: (id) => (id === 2 ? { vector: whole, width: 8, height: 6 } : undefined) },
  );
  const byId = new Map(ranked.map((item) => [item.id, item]));
  const expect = (best: { similarity: number }[]) => {
    const mean = (relevant: boolean) => {
      const sims = best.filter((_, i) => marks[i].relevant === relevant).map((b) => b.similarity);
      return sims.reduce((s, x) => s + x, 0) / sims.length;
    };
    return mean(true) - mean(false);
  };
  assert.ok(Math.abs(byId.get(1)!.score - (0.5 + expect(bestMatches(marks, stored)))) < 1e-5);
  assert.deepEqual(
    byId.get(1)!.matches.map((m) => m.box).sort((a, b) => a.x - b.x),
    bestMatches(marks, stored).map((b) => stored[b.index].box).sort((a, b) => a.x - b.x),
  );
  const wholeRegion = [{ box: { x: 0, y: 0, w: 8, h: 6 }, vector: whole }];
  assert.ok(Math.abs(byId.get(2)!.score - (0.4 + expect(bestMatches(marks, wholeRegion)))) < 1e-5);
  assert.ok(byId.get(2)!.matches.every((m) => m.box.w === 8 && m.box.h === 6), 'matched through the whole image');
  assert.equal(byId.get(3)!.score, 0.3, 'no regions and no vector: the global score alone');
  assert.deepEqual(byId.get(3)!.matches, []);
});
