// Accuracy cost of int8: `visualref eval --world` with a model's fp32 graphs and with its int8 graphs
// (training/quantize_int8.py, the quantisation of the benchmark models), side by side.
//   node --import tsx bench/int8-accuracy.ts [--model models/builtin] [--limit N] [--seed N]
// Without a built model there is nothing to compare: the report says so (status skipped).
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { repoRoot } from '../engine/config/load-config.ts';
import type { EvalReport } from '../eval/run-eval.ts';
import { writeBenchReport, type Cell } from './report.ts';

const args = z
  .object({
    model: z.string().default(join(repoRoot, 'models', 'builtin')),
    limit: z.coerce.number().int().min(1).optional(),
    seed: z.coerce.number().int().min(0).optional(),
    out: z.string().optional(),
  })
  .parse(parseArgs({ options: { model: { type: 'string' }, limit: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } } }).values);

const metrics = ['hits@1', 'hits@5', 'hits@10', 'mrr@5'] as const;

/** A copy of `model` whose onnx/<part>_model.onnx are the int8 graphs, so any command loads them. */
function int8Folder(model: string, dir: string): string {
  const folder = join(dir, 'int8');
  mkdirSync(join(folder, 'onnx'), { recursive: true });
  for (const name of readdirSync(model)) if (name.endsWith('.json')) copyFileSync(join(model, name), join(folder, name));
  for (const part of ['vision', 'text']) {
    const quantized = join(model, 'onnx', `${part}_model_quantized.onnx`);
    const target = join(folder, 'onnx', `${part}_model.onnx`);
    if (existsSync(quantized)) copyFileSync(quantized, target);
    else execFileSync('/usr/bin/python3', [join(repoRoot, 'training', 'quantize_int8.py'), join(model, 'onnx', `${part}_model.onnx`), target], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return folder;
}

function evaluate(model: string): EvalReport {
  const argv = [join(repoRoot, 'bin', 'visualref.js'), 'eval', '--world', '--model', model, '--json'];
  if (args.limit) argv.push('--limit', String(args.limit));
  if (args.seed !== undefined) argv.push('--seed', String(args.seed));
  const run = spawnSync(process.execPath, argv, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 2 ** 20 });
  if (run.status !== 0) throw new Error(`visualref eval --world --model ${model} exited with ${run.status}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as EvalReport;
}

const model = resolve(args.model);
const settings: Record<string, Cell> = { model, limit: args.limit ?? 'all', seed: args.seed ?? 'default' };
let rows: Record<string, Cell>[];
if (!existsSync(join(model, 'onnx', 'vision_model.onnx'))) {
  console.error(`[int8-accuracy] no model at ${model} (npm run train:builtin builds the built-in one): skipped`);
  rows = [{ status: 'skipped', reason: `no model at ${model}` }];
} else {
  const dir = mkdtempSync(join(tmpdir(), 'visualref-bench-int8-'));
  try {
    const fp32 = evaluate(model);
    const int8 = int8Folder(model, dir);
    const q8 = evaluate(int8);
    // How much of each graph int8 covers: only MatMul weights are quantised (convolutions stay fp32).
    for (const part of ['vision', 'text']) {
      const file = (folder: string) => statSync(join(folder, 'onnx', `${part}_model.onnx`)).size / 2 ** 20;
      settings[`${part}MiB fp32 → q8`] = `${file(model).toFixed(2)} → ${file(int8).toFixed(2)}`;
    }
    settings.dataset = fp32.dataset;
    settings.queries = fp32.queries;
    rows = Object.entries(fp32.results).flatMap(([strategy, turns]) =>
      turns.map((t, i) => {
        const other = q8.results[strategy]?.[i];
        const row: Record<string, Cell> = { status: 'measured', strategy, turn: t.turn };
        for (const m of metrics) {
          row[`fp32 ${m}`] = t[m];
          row[`q8 ${m}`] = other ? other[m] : null;
          row[`Δ ${m}`] = other ? other[m] - t[m] : null;
        }
        return row;
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
for (const row of rows) console.error(`[int8-accuracy] ${JSON.stringify(row)}`);
const written = writeBenchReport(
  {
    name: 'int8-accuracy',
    title: 'Accuracy of int8 weights against fp32 (visualref eval --world)',
    settings,
    rows,
    notes: ['q8: every MatMul weight quantised to int8 per tensor, activations at run time (training/quantize_int8.py); Δ = q8 − fp32.'],
  },
  args.out,
);
console.error(`wrote ${written.markdown}`);
