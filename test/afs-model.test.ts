// The attentive feedback summarizer at inference: the ONNX graph against the PyTorch outputs recorded
// at export (models/builtin/afs-reference.json), eq. 8, box steering, saliency maps, and the refusals
// of a model folder that cannot have an AFS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afsNegativeVector, boxSteeringBias, itemShares, saliencyMap } from '../engine/feedback/afs/afs-feedback.ts';
import { AfsModel } from '../engine/feedback/afs/afs-model.ts';
import { loadEncoders } from '../engine/encoders/load-encoders.ts';
import { cellBoxes } from '../engine/regions/token-cells.ts';
import { readPreprocessSpec } from '../engine/encoders/preprocess-spec.ts';
import { referenceDifference } from './helpers/afs-reference.ts';

const builtin = 'models/builtin';
const tinyClip = 'test/models/tiny-clip';
const allTokens = { image: true, text: true };

function tempCopy(folder: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'afs-model-test-'));
  cpSync(folder, dir, { recursive: true });
  return dir;
}

test('the built-in ONNX AFS gives the PyTorch outputs on the fixed inputs within 1e-4', async () => {
  const worst = await referenceDifference(builtin);
  assert.ok(worst < 1e-4, `largest difference ${worst}`);
});

test('the built-in AFS: a summary of unit length, attention over the items that sums to 1, moved by box steering', async () => {
  const encoders = await loadEncoders(builtin);
  const model = await AfsModel.load(builtin, { image: encoders.image.givesTokens, text: encoders.text.givesTokens });
  try {
    const [query] = await encoders.text.encodeTextTokens(['a red circle and a blue square']);
    const blank = (r: number, g: number, b: number) => ({ width: 64, height: 64, data: new Uint8Array(64 * 64 * 3).map((_, i) => [r, g, b][i % 3]) });
    const encoded = await encoders.image.encodePixels([blank(200, 30, 30), blank(30, 30, 200), blank(30, 200, 30)], { tokens: true });
    const items = encoded.map((e) => ({ tokens: e.tokens! }));
    const plain = await model.summarize(query.tokens, items);
    assert.ok(Math.abs(Math.hypot(...plain.summary) - 1) < 1e-5);
    const total = itemShares(plain.attention).reduce((s, x) => s + x, 0);
    assert.ok(Math.abs(total - 1) < 1e-4, `attention sums to ${total}`);

    const cells = cellBoxes(64, 64, readPreprocessSpec(builtin, 'clip'), 4);
    const whole = { x: 0, y: 0, w: 64, h: 64 };
    const up = boxSteeringBias(17, cells, [{ box: whole, relevant: true }]);
    const down = boxSteeringBias(17, cells, [{ box: whole, relevant: false }]);
    const share = async (bias: Float32Array) => itemShares((await model.summarize(query.tokens, [{ ...items[0], bias }, items[1], items[2]])).attention)[0];
    const before = itemShares(plain.attention)[0];
    assert.ok((await share(up)) > before + 0.1, 'a relevant box draws the attention to its item');
    assert.ok((await share(down)) < before / 2, 'an irrelevant box takes the attention from its item');
  } finally {
    await model.dispose();
    await encoders.image.dispose();
    await encoders.text.dispose();
  }
});

test('eq. 8: the item the summarizer looked at least weighs most in the negative vector', () => {
  const a = Float32Array.of(1, 0);
  const b = Float32Array.of(0, 1);
  const n = afsNegativeVector([Float32Array.of(0.5, 0.3), Float32Array.of(0.1, 0.1)], [a, b], 0.05)!;
  assert.ok(n[1] > 0.9 && n[0] < 0.1, `n = ${Array.from(n)}`);
  assert.equal(afsNegativeVector([Float32Array.of(1)], [a], 0.05), null);
});

test('box steering marks the cells whose centre a box covers, irrelevant winning over relevant', () => {
  const cells = Array.from({ length: 4 }, (_, c) => ({ x: (c % 2) * 10, y: Math.floor(c / 2) * 10, w: 10, h: 10 }));
  const bias = boxSteeringBias(5, cells, [
    { box: { x: 0, y: 0, w: 20, h: 8 }, relevant: true },
    { box: { x: 10, y: 0, w: 10, h: 10 }, relevant: false },
  ]);
  assert.deepEqual(Array.from(bias), [0, 5, -5, 0, 0]);
});

test('a saliency map is the patch grid in bytes, the most looked-at patch 255, the summary token left out', () => {
  const map = saliencyMap(Float32Array.of(0.5, 0.1, 0.2, 0, 0.05));
  assert.equal(map.side, 2);
  assert.deepEqual(map.values, [128, 255, 0, 64]);
  assert.ok(Math.abs(map.share - 0.85) < 1e-6);
});

test('a model folder without an AFS, an AFS for another backbone and a corrupt afs.onnx are refused naming the file and the command', async () => {
  const dirs: string[] = [];
  try {
    const bare = tempCopy(tinyClip);
    dirs.push(bare);
    await assert.rejects(AfsModel.load(bare, allTokens), (err: Error) => err.message.includes(join(bare, 'afs.json')) && err.message.includes('npm run train:afs'));

    cpSync(join(builtin, 'afs.json'), join(bare, 'afs.json'));
    cpSync(join(builtin, 'onnx', 'afs.onnx'), join(bare, 'onnx', 'afs.onnx'));
    await assert.rejects(AfsModel.load(bare, allTokens), (err: Error) => /afs\.json is for another backbone/.test(err.message) && err.message.includes('npm run train:afs'));

    const corrupt = tempCopy(builtin);
    dirs.push(corrupt);
    writeFileSync(join(corrupt, 'onnx', 'afs.onnx'), 'not an onnx graph');
    await assert.rejects(AfsModel.load(corrupt, allTokens), (err: Error) => err.message.includes(join(corrupt, 'onnx', 'afs.onnx')) && /corrupt/.test(err.message) && err.message.includes('npm run train:afs'));
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
});

const hasOnnx = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import onnx'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test('a model whose text encoder gives no token outputs is refused naming its text model', { skip: hasOnnx ? false : 'needs /usr/bin/python3 with onnx to strip an output (apt install python3-onnx)' }, async () => {
  const dir = tempCopy(builtin);
  try {
    const file = join(dir, 'onnx', 'text_model.onnx');
    execFileSync('/usr/bin/python3', ['-c', `import onnx,sys\nm=onnx.load(sys.argv[1])\nkeep=[o for o in m.graph.output if o.name!='last_hidden_state']\ndel m.graph.output[:]\nm.graph.output.extend(keep)\nonnx.save(m,sys.argv[1])`, file]);
    const encoders = await loadEncoders(dir);
    assert.equal(encoders.text.givesTokens, false);
    await assert.rejects(
      AfsModel.load(dir, { image: encoders.image.givesTokens, text: encoders.text.givesTokens }),
      (err: Error) => err.message.includes(join(dir, 'onnx', 'text_model')) && /last_hidden_state/.test(err.message) && err.message.includes('npm run train:afs'),
    );
    await encoders.image.dispose();
    await encoders.text.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
