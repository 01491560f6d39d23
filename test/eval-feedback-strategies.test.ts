// The feedback strategies of `visualref eval` with the built-in model on a small rendered world.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadEncoders, type LoadedEncoders } from '../engine/encoders/load-encoders.ts';
import { encodeCollection, type EvalCollection } from '../eval/collection.ts';
import { loadKarpathyDataset } from '../eval/dataset.ts';
import { buildFeedbackStrategies, feedbackStrategyNames, judgedRelevant, resolveStrategyNames } from '../eval/feedback-strategies.ts';
import { runEval, type EvalReport } from '../eval/run-eval.ts';
import { generateWorld } from '../engine/world/generate-world.ts';
import { loadFeedbackConfig } from '../engine/feedback/config.ts';

const run = promisify(execFile);
let encoders: LoadedEncoders;
let dir: string;
let collection: EvalCollection;
let report: EvalReport;

before(async () => {
  encoders = await loadEncoders('builtin');
  dir = await mkdtemp(join(tmpdir(), 'eval-feedback-test-'));
  // The region strategy caches the collection's regions: in this test's folder, not the user's cache.
  process.env.VISUALREF_CACHE = join(dir, 'cache');
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

test('every strategy is measured at every turn, starting from the plain search; none is the same at every turn', () => {
  assert.deepEqual(Object.keys(report.results), [...feedbackStrategyNames]);
  for (const name of feedbackStrategyNames) {
    assert.deepEqual(
      report.results[name].map((t) => t.turn),
      [1, 2, 3],
    );
    assert.deepEqual({ ...report.results[name][0] }, { ...report.results.none[0] });
  }
  assert.deepEqual({ ...report.results.none[2], turn: 1 }, { ...report.results.none[0] });
});

test('user feedback finds targets the plain search missed; region against region more than one averaged vector', () => {
  const mrr = (name: string, turn: number) => report.results[name][turn - 1]['mrr@5'];
  for (const name of ['explicit', 'judged', 'region', 'region-crop', 'region-caption', 'region-oracle', 'combined']) {
    assert.ok(mrr(name, 3) > mrr('none', 1), `${name}: ${mrr(name, 3)} vs none ${mrr('none', 1)}`);
  }
  assert.ok(mrr('region-oracle', 3) > mrr('region-crop', 3), `oracle ${mrr('region-oracle', 3)} vs averaged ${mrr('region-crop', 3)}`);
  for (const name of ['explicit', 'judged', 'region']) {
    assert.ok(mrr('combined', 3) >= mrr(name, 3), `combined ${mrr('combined', 3)} vs ${name} ${mrr(name, 3)}`);
  }
});

test('strategy lists: "all", old names as aliases, repeats dropped, unknown names refused', () => {
  assert.deepEqual(resolveStrategyNames('all'), [...feedbackStrategyNames]);
  assert.deepEqual(resolveStrategyNames('regions-visualref, regions-match,prf,prf,region:windows:caption,region-vector'), [
    'region-crop',
    'region-oracle',
    'prf',
    'region:windows:caption',
    'region-vector',
  ]);
  assert.throws(() => resolveStrategyNames('prf,magic'), /unknown strategy magic \(known: none, prf, grf/);
});

test('strategies that box objects need object boxes and say so', async () => {
  const photos: EvalCollection = { ...collection, dataset: { ...collection.dataset, images: collection.dataset.images.map(({ objects: _o, ...rest }) => rest) } };
  for (const name of ['region', 'region-crop', 'region-caption', 'region-oracle', 'combined', 'region:windows']) {
    await assert.rejects(buildFeedbackStrategies(['prf', name], photos, { config: loadFeedbackConfig() }), new RegExp(`^Error: ${name} need object boxes`));
  }
  assert.equal((await buildFeedbackStrategies(['none', 'prf', 'judged'], photos, { config: loadFeedbackConfig() })).length, 2);
});

test('an unknown strategy is a usage error naming the known ones', async () => {
  await assert.rejects(
    run(process.execPath, ['bin/visualref.js', 'eval', '--world', '--strategy', 'prf,magic'], { env: { ...process.env, VISUALREF_QUIET: '1' } }),
    (err: { stderr: string; code: number }) => err.code === 2 && /unknown strategy magic \(known: none, prf, grf/.test(err.stderr),
  );
});

test('the judging user: relevant when it is the target or holds more than half of its objects (colour and shape)', () => {
  const object = (colour: string, shape: string) => ({ box: [0, 0, 10, 10] as [number, number, number, number], colour, shape, size: 'small', pattern: 'plain' });
  const image = (index: number, objects: ReturnType<typeof object>[]) => ({ index, path: '', filename: '', captions: [], objects });
  const target = image(0, [object('red', 'circle'), object('blue', 'star'), object('green', 'heart')]);
  assert.equal(judgedRelevant(target, target), true);
  // Two of three: most. Patterns and sizes do not count.
  assert.equal(judgedRelevant(image(1, [{ ...object('red', 'circle'), pattern: 'dotted' }, object('blue', 'star')]), target), true);
  assert.equal(judgedRelevant(image(2, [object('red', 'circle'), object('red', 'star'), object('blue', 'heart')]), target), false);
  const pair = image(3, [object('red', 'circle'), object('blue', 'star')]);
  assert.equal(judgedRelevant(image(4, [object('red', 'circle')]), pair), false, 'half is not most');
  assert.equal(judgedRelevant(image(5, [object('blue', 'star'), object('red', 'circle')]), pair), true);
  assert.equal(judgedRelevant(image(6, []), image(7, [])), false, 'photographs: only the target is relevant');
});
