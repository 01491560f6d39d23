// The afs and afs-boxes strategies of `visualref eval` with the built-in model's summarizer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEncoders, type LoadedEncoders } from '../engine/encoders/load-encoders.ts';
import { encodeCollection, type EvalCollection } from '../eval/collection.ts';
import { loadKarpathyDataset } from '../eval/dataset.ts';
import { buildFeedbackStrategies, resolveStrategyNames } from '../eval/feedback-strategies.ts';
import { runEval } from '../eval/run-eval.ts';
import { cosineScores, topK } from '../eval/strategy.ts';
import { generateWorld } from '../engine/world/generate-world.ts';
import { loadFeedbackConfig } from '../engine/feedback/config.ts';

let encoders: LoadedEncoders;
let dir: string;
let collection: EvalCollection;
/** Each image's first caption, encoded: the typed query. */
const queryVectors = new Map<number, Float32Array>();

before(async () => {
  encoders = await loadEncoders('builtin');
  dir = await mkdtemp(join(tmpdir(), 'eval-afs-test-'));
  // combined-afs's region marks cache the collection's regions: in this test's folder, not the user's cache.
  process.env.VISUALREF_CACHE = join(dir, 'cache');
  await generateWorld({ seed: 6002, count: 60, split: 'test', outDir: dir });
  collection = await encodeCollection(await loadKarpathyDataset(join(dir, 'captions.json')), 'builtin', encoders.image, encoders.text);
  const texts = collection.dataset.images.map((image) => image.captions[0]);
  (await encoders.text.encodeTexts(texts)).forEach((v, i) => queryVectors.set(i, v));
});

after(async () => {
  await encoders.image.dispose();
  await encoders.text.dispose();
  await rm(dir, { recursive: true, force: true });
});

test('afs, afs-boxes and combined-afs are measured at every turn', async () => {
  assert.deepEqual(resolveStrategyNames('afs,afs-boxes,combined-afs'), ['afs', 'afs-boxes', 'combined-afs']);
  const strategies = await buildFeedbackStrategies(['none', 'afs', 'afs-boxes', 'combined-afs'], collection, { config: loadFeedbackConfig() });
  const report = await runEval(collection, { strategies, turns: 3 });
  for (const name of ['afs', 'afs-boxes', 'combined-afs']) {
    assert.deepEqual(
      report.results[name].map((t) => t.turn),
      [1, 2, 3],
    );
    assert.deepEqual({ ...report.results[name][0] }, { ...report.results.none[0] });
  }
});

test('the region user\'s boxes steer the summary: afs-boxes refines differently from afs on the same turn', async () => {
  const [afs, boxes] = await buildFeedbackStrategies(['afs', 'afs-boxes'], collection, { config: loadFeedbackConfig() });
  // A target whose first results are not itself, and whose shown images hold objects to box.
  const target = collection.dataset.images.find((image) => {
    const vector = queryVectors.get(image.index);
    return vector && topK(cosineScores(vector, collection), 5)[0].id !== image.index;
  })!;
  const vector = queryVectors.get(target.index)!;
  const scores = cosineScores(vector, collection);
  const turn = { turn: 1, state: { text: target.captions[0], vector, scores }, shown: topK(scores, 5), target, collection };
  const plain = await afs.refine(turn);
  const steered = await boxes.refine(turn);
  assert.notDeepEqual(Array.from(plain.vector), Array.from(vector), 'afs moves the query');
  assert.notDeepEqual(Array.from(steered.vector), Array.from(plain.vector), 'boxes change the summary');
});

test('a model without an AFS cannot run the afs strategies, and says what to run', async () => {
  const tiny = await loadEncoders('test/models/tiny-clip');
  try {
    const tinyCollection = await encodeCollection(collection.dataset, 'test/models/tiny-clip', tiny.image, tiny.text);
    await assert.rejects(buildFeedbackStrategies(['afs'], tinyCollection, { config: loadFeedbackConfig() }), /afs\.json is missing\): run npm run train:afs/);
  } finally {
    await tiny.image.dispose();
    await tiny.text.dispose();
  }
});
