// A fresh test split of the synthetic world for evaluation, rendered once per seed into a cache
// folder (rendering is deterministic, so a finished folder is reused as is).
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateWorld } from '../engine/world/generate-world.ts';

/** World seeds the built-in model was trained on (train split 1, val split 2); evaluation avoids them. */
export const trainingWorldSeeds = [1, 2];
export const defaultEvalWorldSeed = 1000;
export const testSplitSize = 1000;

/** The evaluation's name of a world's test split (reports, and the region caches keyed by it). */
export function worldDatasetName(seed: number): string {
  return `world-test-seed${seed}`;
}

export function worldCacheDir(seed: number, count: number): string {
  const root = process.env.VISUALREF_CACHE ?? join(tmpdir(), 'visualref-cache');
  return join(root, 'world', `test-seed${seed}-${count}`);
}

/** The folder of the test split for `seed`, rendering it first when it is not cached. */
export async function ensureWorldTestSplit(seed: number, count = testSplitSize, onProgress?: (done: number) => void): Promise<string> {
  const dir = worldCacheDir(seed, count);
  // captions.json is written last (atomically), so its presence means the folder is complete.
  if (!existsSync(join(dir, 'captions.json'))) {
    await generateWorld({ seed, count, split: 'test', outDir: dir }, onProgress);
  }
  return dir;
}
