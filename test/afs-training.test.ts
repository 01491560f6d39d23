// `npm run train:afs` smoke run: a few steps on the tiny test model over a small rendered world, then
// the exported AFS loads for that model and its ONNX graph matches the PyTorch outputs (1e-4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backboneOf } from '../engine/feedback/afs/backbone.ts';
import { AfsModel } from '../engine/feedback/afs/afs-model.ts';
import { generateWorld } from '../engine/world/generate-world.ts';
import { referenceDifference } from './helpers/afs-reference.ts';

const hasTorch = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import torch, onnx, numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test(
  'a few training steps on the tiny model give an AFS for that model that matches its PyTorch outputs',
  { skip: hasTorch ? false : 'needs /usr/bin/python3 with torch, onnx and numpy (apt install python3-torch python3-onnx python3-numpy)' },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'afs-training-test-'));
    try {
      const model = join(dir, 'tiny-clip');
      cpSync('test/models/tiny-clip', model, { recursive: true });
      await generateWorld({ seed: 7001, count: 24, split: 'train', outDir: join(dir, 'world') });
      const args = ['training/train-afs.sh', '--model', model, '--captions', join(dir, 'world', 'captions.json'), '--batch', '16'];
      const env = { ...process.env, AFS_FEATURES: join(dir, 'features'), OMP_NUM_THREADS: '1' };
      execFileSync('bash', [...args, '--steps', '6', '--eval-every', '3'], { env, stdio: 'pipe' });
      const settings = JSON.parse(readFileSync(join(model, 'afs.json'), 'utf8')) as { backbone: string; imageTokens: number; steps: number };
      assert.equal(settings.backbone, backboneOf(model));
      assert.equal(settings.imageTokens, 50, 'tiny-clip: CLS + 7x7 patches');
      assert.ok(readFileSync(join(model, 'afs-training-log.txt'), 'utf8').includes('val loss after 6 steps'));
      const loaded = await AfsModel.load(model, { image: true, text: true });
      await loaded.dispose();
      const worst = await referenceDifference(model);
      assert.ok(worst < 1e-4, `largest difference ${worst}`);

      // The objective that asks what inference asks (rank the image first after one Rocchio step)
      // trains and exports the same graph, on the features already encoded.
      execFileSync('bash', [...args, '--objective', 'rocchio', '--steps', '3', '--eval-every', '3'], { env, stdio: 'pipe' });
      assert.equal((JSON.parse(readFileSync(join(model, 'afs.json'), 'utf8')) as { objective: string }).objective, 'rocchio');
      assert.match(readFileSync(join(model, 'afs-training-log.txt'), 'utf8'), /val loss after 3 steps: [\d.]+; MRR@5 of the caption's image: query [\d.]+, after one AFS Rocchio step [\d.]+/);
      assert.ok((await referenceDifference(model)) < 1e-4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
