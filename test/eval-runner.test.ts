// The eval runner and `visualref eval` with the built-in model on a small rendered world.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadEncoders, type LoadedEncoders } from '../engine/encoders/load-encoders.ts';
import { encodeCollection, type EvalCollection } from '../eval/collection.ts';
import { loadKarpathyDataset } from '../eval/dataset.ts';
import { runEval } from '../eval/run-eval.ts';
import { cosineScores, type FeedbackTurn, type Strategy } from '../eval/strategy.ts';
import { generateWorld } from '../engine/world/generate-world.ts';

const run = promisify(execFile);
let encoders: LoadedEncoders;
let dir: string;
let collection: EvalCollection;

before(async () => {
  encoders = await loadEncoders('builtin');
  dir = await mkdtemp(join(tmpdir(), 'eval-runner-test-'));
  await generateWorld({ seed: 6000, count: 30, split: 'test', outDir: dir });
  const dataset = await loadKarpathyDataset(join(dir, 'captions.json'));
  collection = await encodeCollection(dataset, 'builtin', encoders.image, encoders.text);
});

after(async () => {
  await encoders.image.dispose();
  await encoders.text.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('a strategy gets each turn with the top 5 shown and the target, and its scores are measured', async () => {
  const seen: FeedbackTurn[] = [];
  // A user who can point at the target once it is shown: the query becomes the shown target's vector.
  const pointAtTarget: Strategy = {
    name: 'point',
    async refine(turn) {
      seen.push(turn);
      const hit = turn.shown.find((h) => h.id === turn.target.index);
      if (!hit) return turn.state;
      const dim = turn.collection.dim;
      const vector = turn.collection.matrix.slice(hit.id * dim, (hit.id + 1) * dim);
      return { ...turn.state, vector, scores: cosineScores(vector, turn.collection) };
    },
  };
  const report = await runEval(collection, { strategies: [pointAtTarget], turns: 3 });
  assert.equal(report.queries, 30);
  assert.deepEqual(Object.keys(report.results), ['none', 'point']);
  assert.deepEqual(report.results.point.map((t) => t.turn), [1, 2, 3]);
  assert.deepEqual(report.results.none.map((t) => t.turn), [1, 2, 3]);
  assert.deepEqual({ ...report.results.point[0] }, { ...report.results.none[0] });
  assert.equal(seen.length, 30 * 2);
  assert.ok(seen.every((t) => t.shown.length === 5 && t.turn >= 1 && t.turn <= 2));
  // Every target shown in the top 5 at turn 1 is at rank 1 from turn 2 on.
  assert.equal(report.results.point[1]['hits@1'], report.results.none[0]['hits@5']);
});

test('`visualref eval --json` prints exactly the report shape, with crop naming on a world', async () => {
  const { stdout } = await run(process.execPath, ['bin/visualref.js', 'eval', '--captions', join(dir, 'captions.json'), '--json'], {
    env: { ...process.env, VISUALREF_QUIET: '1' },
  });
  const report = JSON.parse(stdout);
  // A rendered world also says how well the model names single objects cut out of the scenes.
  assert.deepEqual(Object.keys(report), ['dataset', 'model', 'queries', 'results', 'crops']);
  const objects = collection.dataset.images.reduce((n, im) => n + (im.objects?.length ?? 0), 0);
  assert.deepEqual({ objects: report.crops.objects, phrases: report.crops.phrases }, { objects, phrases: 88 });
  assert.ok(report.crops.accuracy >= 0.8, `crops named right: ${report.crops.accuracy}`);
  assert.equal(report.model, 'builtin');
  assert.equal(report.queries, 30);
  assert.deepEqual(Object.keys(report.results), ['none']);
  assert.deepEqual(Object.keys(report.results.none[0]), ['turn', 'hits@1', 'hits@5', 'hits@10', 'mrr@5']);
  const m = report.results.none[0];
  assert.ok(m['hits@1'] <= m['hits@5'] && m['hits@5'] <= m['hits@10'] && m['mrr@5'] >= m['hits@1']);
  // 30 candidates: far better than chance (hits@5 by chance = 1/6).
  assert.ok(m['hits@5'] > 0.5, `hits@5 = ${m['hits@5']}`);
});

test('a file that is not a Karpathy captions file is refused with the field at fault', async () => {
  await assert.rejects(
    run(process.execPath, ['bin/visualref.js', 'eval', '--captions', 'package.json'], { env: { ...process.env, VISUALREF_QUIET: '1' } }),
    (err: { stderr: string; code: number }) => err.code === 1 && /not a Karpathy captions file: images/.test(err.stderr),
  );
});

const flickr = fileURLToPath(new URL('../../shared/data/flickr8k-1k/captions.json', import.meta.url));
test('runs on the Flickr8k sample with the built-in model', { skip: existsSync(flickr) ? false : `no ${flickr}` }, async () => {
  const dataset = await loadKarpathyDataset(flickr, { split: 'test' });
  assert.equal(dirname(dataset.images[0].path), join(dirname(flickr), 'images'), 'images are found in images/ beside the captions');
  dataset.images = dataset.images.slice(0, 40);
  const flickrCollection = await encodeCollection(dataset, 'builtin', encoders.image, encoders.text);
  const report = await runEval(flickrCollection);
  assert.equal(report.queries, 40);
  assert.equal(report.dataset, 'flickr8k-1k');
  // Photographs are far from the scene world, but every image was decoded and ranked.
  const m = report.results.none[0];
  assert.ok(m['hits@10'] >= m['hits@1'] && m['hits@10'] <= 1);
});

test('`visualref eval --captions` on photographs: strategies without boxes run for 5 turns and --out writes the three files', { skip: existsSync(flickr) ? false : `no ${flickr}` }, async () => {
  const out = join(dir, 'out-flickr');
  const { stdout } = await run(process.execPath, ['bin/visualref.js', 'eval', '--captions', flickr, '--limit', '24', '--strategy', 'none,prf,explicit,judged', '--json', '--out', out], {
    env: { ...process.env, VISUALREF_QUIET: '1' },
  });
  const report = JSON.parse(stdout);
  // Photographs have no annotated objects to name: the report is the shape exactly.
  assert.deepEqual(Object.keys(report), ['dataset', 'model', 'queries', 'results']);
  assert.equal(report.queries, 24);
  assert.deepEqual(Object.keys(report.results), ['none', 'prf', 'explicit', 'judged']);
  for (const rows of Object.values(report.results) as { turn: number }[][]) assert.deepEqual(rows.map((r) => r.turn), [1, 2, 3, 4, 5]);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'eval.json'), 'utf8')), report);
  assert.match(readFileSync(join(out, 'eval.md'), 'utf8'), /\| explicit \| 5 \|/);
  assert.match(readFileSync(join(out, 'mrr5.svg'), 'utf8'), /^<svg [^>]*>[\s\S]*<\/svg>\n$/);
});

test('`visualref eval --captions` refuses strategies that box objects on data without boxes', { skip: existsSync(flickr) ? false : `no ${flickr}` }, async () => {
  await assert.rejects(
    run(process.execPath, ['bin/visualref.js', 'eval', '--captions', flickr, '--strategy', 'prf,region,region-crop'], { env: { ...process.env, VISUALREF_QUIET: '1' } }),
    (err: { stderr: string; code: number }) => err.code === 2 && /region, region-crop box the objects of the shown images, and flickr8k-1k has no object boxes/.test(err.stderr),
  );
});
