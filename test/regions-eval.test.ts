// The simulated region user and the region strategies on a small rendered world (tiny test CLIP: the
// checks are about who marks what and how scores are formed, not about retrieval quality).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEncoders, type LoadedEncoders } from '../engine/encoders/load-encoders.ts';
import { encodeCollection, type EvalCollection } from '../eval/collection.ts';
import { loadKarpathyDataset } from '../eval/dataset.ts';
import { cosineScores, topK, type FeedbackTurn } from '../eval/strategy.ts';
import { simulateRegionMarks } from '../eval/strategies/region-user.ts';
import { regionStrategy, regionStrategyFromName } from '../eval/strategies/region.ts';
import { generateWorld } from '../engine/world/generate-world.ts';

let encoders: LoadedEncoders;
let dir: string;
let collection: EvalCollection;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'regions-eval-test-'));
  process.env.VISUALREF_CACHE = join(dir, 'cache');
  encoders = await loadEncoders(join(import.meta.dirname, 'models', 'tiny-clip'));
  await generateWorld({ seed: 6100, count: 12, split: 'test', outDir: join(dir, 'world') });
  const dataset = await loadKarpathyDataset(join(dir, 'world', 'captions.json'));
  collection = await encodeCollection(dataset, 'tiny-clip', encoders.image, encoders.text);
});

after(async () => {
  await encoders.image.dispose();
  await encoders.text.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** Turn 1 for the query of `targetIndex` (its first caption), as if `shownIds` had been shown. */
async function turnFor(targetIndex: number, shownIds: number[]): Promise<FeedbackTurn> {
  const target = collection.dataset.images[targetIndex];
  const [vector] = await encoders.text.encodeTexts([target.captions[0]]);
  const scores = cosineScores(vector, collection);
  return { turn: 1, state: { text: target.captions[0], vector, scores }, shown: shownIds.map((id) => ({ id, score: scores[id] })), target, collection };
}

test('the simulated user boxes every object of the shown results: relevant iff it matches a target object by colour and shape', async () => {
  const target = 0;
  const shown = [3, 0, 5, 7, 9];
  const marks = await simulateRegionMarks(await turnFor(target, shown), new Set());
  const wanted = new Set(collection.dataset.images[target].objects!.map((o) => `${o.colour} ${o.shape}`));
  const expected = shown.flatMap((id) => collection.dataset.images[id].objects!.map((o, k) => ({ label: `${id}#${k}`, relevant: wanted.has(`${o.colour} ${o.shape}`), box: { x: o.box[0], y: o.box[1], w: o.box[2], h: o.box[3] } })));
  assert.deepEqual(
    marks.map((m) => ({ label: m.label, relevant: m.relevant, box: m.box })),
    expected,
  );
  assert.ok(marks.filter((m) => m.label.startsWith('0#')).every((m) => m.relevant), "the target's own objects are all relevant");
  assert.ok(marks.every((m) => m.image && m.image.width === 224 && /^an? \w+ \w+$/.test(m.caption ?? '')));
  // Nothing new once the target is first, and nothing twice.
  assert.deepEqual(await simulateRegionMarks(await turnFor(target, [0, 3, 5, 7, 9]), new Set()), []);
  const again = await simulateRegionMarks(await turnFor(target, shown), new Set(marks.map((m) => m.label)));
  assert.deepEqual(again, []);
});

test('region strategy: the query stays, marks accumulate, the re-ranked pool sits above the rest', async () => {
  const strategy = regionStrategy({ source: 'windows', marks: 'crop', pool: 6, lambda: 1, mu: 0.5 });
  // Shown: the 5 best other images (so the target is not first and the user marks them all).
  const ranked = topK((await turnFor(1, [])).state.scores, 6).map((h) => h.id);
  const turn = await turnFor(1, ranked.filter((id) => id !== 1).slice(0, 5));
  const next = await strategy.refine(turn);
  assert.equal(next.vector, turn.state.vector, 'the query vector is left alone');
  const memory = next.memory as { marks: unknown[]; marked: Set<string> };
  const boxed = turn.shown.reduce((n, h) => n + collection.dataset.images[h.id].objects!.length, 0);
  assert.equal(memory.marks.length, boxed);
  const candidates = new Set(topK(turn.state.scores, 6).map((h) => h.id));
  const lowestCandidate = Math.min(...[...candidates].map((id) => next.scores[id]));
  for (let i = 0; i < next.scores.length; i++) if (!candidates.has(i)) assert.ok(next.scores[i] < lowestCandidate);
  const after = await strategy.refine({ ...turn, turn: 2, state: next });
  assert.equal((after.memory as { marks: unknown[] }).marks.length, boxed, 'the same shown objects are not marked twice');
});

test('region-vector strategy moves the single query vector; names pick source and marks', async () => {
  const turn = await turnFor(2, [4, 6, 8, 10, 11]);
  const next = await regionStrategyFromName('region-vector:caption')!.refine(turn);
  assert.notDeepEqual(Array.from(next.vector), Array.from(turn.state.vector));
  const norm = Math.hypot(...next.vector);
  assert.ok(Math.abs(norm - 1) < 1e-5);
  assert.equal(regionStrategyFromName('region:tokens:both')?.name, 'region:tokens:both');
  assert.equal(regionStrategyFromName('prf'), undefined);
  assert.throws(() => regionStrategyFromName('region:boxes'), /windows, proposer, tokens/);
  assert.throws(() => regionStrategyFromName('region:windows:pixels'), /crop, caption, both/);
});
