// The feedback strategies of `visualref eval` with the built-in model on a small rendered world.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadEncoders, type LoadedEncoders } from '../engine/encoders/load-encoders.ts';
import { encodeCollection, type EvalCollection } from '../engine/eval/collection.ts';
import { loadKarpathyDataset } from '../engine/eval/dataset.ts';
import { buildFeedbackStrategies, feedbackStrategyNames } from '../engine/eval/feedback-strategies.ts';
import { runEval, type EvalReport } from '../engine/eval/run-eval.ts';
import { generateWorld } from '../engine/world/generate-world.ts';
import { loadFeedbackConfig } from '../agent/feedback/config.ts';

const run = promisify(execFile);
let encoders: LoadedEncoders;
let dir: string;
let collection: EvalCollection;
let report: EvalReport;

before(async () => {
  encoders = await loadEncoders('builtin');
  dir = await mkdtemp(join(tmpdir(), 'eval-feedback-test-'));
  await generateWorld({ seed: 6001, count: 60, split: 'test', outDir: dir });
  collection = await encodeCollection(await loadKarpathyDataset(join(dir, 'captions.json')), 'builtin', encoders.image, encoders.text);
  const strategies = await buildFeedbackStrategies(feedbackStrategyNames, collection, { config: loadFeedbackConfig() });
  report = await runEval(collection, { strategies, turns: 3 });
});

after(async () => {
  await encoders.image.dispose();
  await encoders.text.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('every strategy is measured at every turn, starting from the plain search', () => {
  assert.deepEqual(Object.keys(report.results), ['none', ...feedbackStrategyNames]);
  for (const name of feedbackStrategyNames) {
    assert.deepEqual(
      report.results[name].map((t) => t.turn),
      [1, 2, 3],
    );
    assert.deepEqual({ ...report.results[name][0] }, { ...report.results.none[0] });
  }
});

test('user feedback finds targets the plain search missed; region matching the most', () => {
  const mrr = (name: string, turn: number) => report.results[name][turn - 1]['mrr@5'];
  for (const name of ['explicit', 'judged', 'regions-visualref', 'regions-match']) {
    assert.ok(mrr(name, 3) > mrr('none', 1), `${name}: ${mrr(name, 3)} vs none ${mrr('none', 1)}`);
  }
  assert.ok(mrr('regions-match', 3) > mrr('regions-visualref', 3), `match ${mrr('regions-match', 3)} vs averaged ${mrr('regions-visualref', 3)}`);
});

test('region strategies need object boxes and say so', async () => {
  const photos: EvalCollection = { ...collection, dataset: { ...collection.dataset, images: collection.dataset.images.map(({ objects: _o, ...rest }) => rest) } };
  await assert.rejects(buildFeedbackStrategies(['regions-match'], photos, { config: loadFeedbackConfig() }), /regions-match need object boxes/);
});

test('an unknown strategy is a usage error naming the known ones', async () => {
  await assert.rejects(
    run(process.execPath, ['bin/visualref.js', 'eval', '--world', '--strategy', 'prf,magic'], { env: { ...process.env, VISUALREF_QUIET: '1' } }),
    (err: { stderr: string; code: number }) => err.code === 2 && /unknown strategy magic \(known: prf, grf/.test(err.stderr),
  );
});
