// Mental-image retrieval on a small rendered world with the built-in model: the three simulated users
// of eval/mir-user.ts through the real runner, encoders and world painter, and the CLI's checks.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadEncoders, type LoadedEncoders } from '../engine/encoders/load-encoders.ts';
import { encodeCollection, type EvalCollection } from '../eval/collection.ts';
import { loadKarpathyDataset } from '../eval/dataset.ts';
import { runEval } from '../eval/run-eval.ts';
import { buildMirStrategies, initialDescription } from '../eval/mir-strategies.ts';
import { metricsFromRanks, rankOfTarget } from '../eval/metrics.ts';
import { cosineScores } from '../eval/strategy.ts';
import { generateWorld } from '../engine/world/generate-world.ts';

const run = promisify(execFile);
let encoders: LoadedEncoders;
let dir: string;
let collection: EvalCollection;

before(async () => {
  encoders = await loadEncoders('builtin');
  dir = await mkdtemp(join(tmpdir(), 'eval-mir-test-'));
  await generateWorld({ seed: 6001, count: 60, split: 'test', outDir: dir });
  collection = await encodeCollection(await loadKarpathyDataset(join(dir, 'captions.json')), 'builtin', encoders.image, encoders.text);
});

after(async () => {
  await encoders.image.dispose();
  await encoders.text.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('text, prediction and generative users start from the same partial description and each finds more targets by turn 4', async () => {
  const report = await runEval(collection, { strategies: buildMirStrategies(['text', 'prediction', 'generative'], { pictureWeight: 0.3 }), turns: 4, queryOf: initialDescription });
  assert.deepEqual(Object.keys(report.results), ['none', 'text', 'prediction', 'generative']);
  for (const name of ['text', 'prediction', 'generative']) {
    const rows = report.results[name];
    assert.deepEqual({ ...rows[0] }, { ...report.results.none[0] }, `${name} starts where no feedback is`);
    assert.ok(rows[3]['mrr@5'] > rows[0]['mrr@5'] + 0.2, `${name}: MRR@5 ${rows[0]['mrr@5']} → ${rows[3]['mrr@5']}`);
  }
});

test('unknown strategies, and --mir without --world, are refused with what to give', async () => {
  assert.throws(() => buildMirStrategies(['text', 'judged'], { pictureWeight: 0.3 }), /unknown mental-image retrieval strategy judged \(known: text, prediction, generative\)/);
  const env = { ...process.env, VISUALREF_QUIET: '1' };
  await assert.rejects(run(process.execPath, ['bin/visualref.js', 'eval', '--mir'], { env }), (err: { stderr: string }) => /--world: --mir needs --world/.test(err.stderr));
  await assert.rejects(run(process.execPath, ['bin/visualref.js', 'eval', '--world', '--mir', '--strategy', 'text,judged'], { env }), (err: { stderr: string }) => /--strategy: with --mir the strategies are text, prediction, generative/.test(err.stderr));
});

test('targets drawn from a larger collection are ranked against every scene of it', async () => {
  const withDistractors = await runEval(collection, { turns: 1, queryOf: initialDescription, targets: 20 });
  // The same 20 targets in a collection of only themselves.
  const alone: EvalCollection = { ...collection, dataset: { ...collection.dataset, images: collection.dataset.images.slice(0, 20) }, matrix: collection.matrix.slice(0, 20 * collection.dim) };
  const withoutDistractors = await runEval(alone, { turns: 1, queryOf: initialDescription });
  assert.equal(withDistractors.queries, 20);
  assert.equal(withoutDistractors.queries, 20);
  // Ranks by hand over all 60 scenes.
  const vectors = await collection.text.encodeTexts(collection.dataset.images.slice(0, 20).map(initialDescription));
  const ranks = vectors.map((v, k) => rankOfTarget(cosineScores(v, collection), k));
  assert.deepEqual({ ...withDistractors.results.none[0] }, { turn: 1, ...metricsFromRanks(ranks) });
  const [harder, easier] = [withDistractors.results.none[0]['mrr@5'], withoutDistractors.results.none[0]['mrr@5']];
  assert.ok(harder < easier, `40 distractors: MRR@5 ${harder} against ${easier}`);
  await assert.rejects(runEval(collection, { targets: 61 }), /targets must be a whole number from 1 to the collection's 60 images, not 61/);
});

test('--collection renders that many scenes and searches them all for the first --limit targets', async () => {
  const cache = await mkdtemp(join(tmpdir(), 'eval-mir-cache-'));
  try {
    const env = { ...process.env, VISUALREF_QUIET: '1', VISUALREF_CACHE: cache };
    const { stdout } = await run(process.execPath, ['bin/visualref.js', 'eval', '--world', '--mir', '--seed', '6002', '--collection', '40', '--limit', '8', '--strategy', 'text', '--turns', '2', '--json'], { env });
    const report = JSON.parse(stdout) as { dataset: string; queries: number; results: Record<string, unknown[]> };
    assert.equal(report.dataset, 'world-test-seed6002-40-mir');
    assert.equal(report.queries, 8);
    assert.deepEqual(Object.keys(report.results), ['none', 'text']);
    const captions = JSON.parse(await readFile(join(cache, 'world', 'test-seed6002-40', 'captions.json'), 'utf8')) as { images: unknown[] };
    assert.equal(captions.images.length, 40);
    await assert.rejects(run(process.execPath, ['bin/visualref.js', 'eval', '--world', '--mir', '--collection', '40', '--limit', '41'], { env }), (err: { stderr: string }) =>
      /--limit: the targets \(--limit\) must be part of the collection \(--collection\)/.test(err.stderr),
    );
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
});
