// Execution providers: asking for a GPU provider on a machine without one warns once and encodes on
// the CPU. Also the float16 conversions used for graphs with float16 inputs/outputs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { float16ToFloat32, float32ToFloat16 } from '../engine/encoders/onnx-session.ts';
import { repoRoot } from '../engine/config/load-config.ts';

// A separate process: the warning is printed once per process, and stderr is what a user sees.
const script = `
import { loadEncoders } from ${JSON.stringify(join(repoRoot, 'engine', 'encoders', 'load-encoders.ts'))};
const a = await loadEncoders('tiny-clip', { provider: 'cuda' });
const b = await loadEncoders('tiny-siglip', { provider: 'cuda' });
const [e] = await a.text.encodeTexts(['a photo of a cat']);
const [f] = await b.text.encodeTexts(['a photo of a cat']);
console.log(JSON.stringify({ a: a.info.provider, b: b.info.provider, norm: Math.hypot(...e), norm2: Math.hypot(...f) }));
`;

test('provider "cuda" without CUDA: one warning for all sessions, CPU in use, encoding works', (t) => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number | string>;
  if (out.a === 'cuda') {
    t.skip('CUDA is available on this machine: nothing falls back');
    return;
  }
  assert.deepEqual([out.a, out.b], ['cpu', 'cpu']);
  assert.ok(Math.abs((out.norm as number) - 1) < 1e-5);
  assert.ok(Math.abs((out.norm2 as number) - 1) < 1e-5);
  const warnings = run.stderr.split('\n').filter((l) => l.startsWith('warning: execution provider "cuda" is not available'));
  assert.equal(warnings.length, 1, run.stderr);
  assert.match(warnings[0], /using the CPU instead/);
});

test('float32 ↔ float16 conversion: exact values, rounding, overflow and subnormals', () => {
  const input = new Float32Array([0, -0, 1, -2, 0.5, 65504, 1e6, 1 / 3, 2 ** -24, 2 ** -26, Infinity, 1.0009765625]);
  const bits = float32ToFloat16(input);
  assert.deepEqual(Array.from(bits.subarray(0, 6)), [0x0000, 0x8000, 0x3c00, 0xc000, 0x3800, 0x7bff]);
  assert.equal(bits[6], 0x7c00); // too large → infinity
  assert.equal(bits[7], 0x3555); // 1/3 rounded to nearest
  assert.equal(bits[8], 0x0001); // smallest subnormal
  assert.equal(bits[9], 0x0000); // below half the smallest subnormal → 0
  assert.equal(bits[10], 0x7c00);
  assert.equal(bits[11], 0x3c01);
  const back = float16ToFloat32(bits);
  assert.deepEqual(Array.from(back.subarray(0, 6)), [0, -0, 1, -2, 0.5, 65504]);
  assert.ok(Math.abs(back[7] - 1 / 3) < 1e-3);
  assert.equal(back[8], 2 ** -24);
  assert.ok(Number.isNaN(float16ToFloat32(new Uint16Array([0x7e00]))[0]));
});
