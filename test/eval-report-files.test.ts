// The files `visualref eval --out DIR` writes, from a hand-made report: the values land in the
// Markdown rows and at the plot coordinates computed by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mrrSvg, plotArea, reportMarkdown, writeReportFiles, yAxisMax } from '../eval/report-files.ts';
import type { EvalReport } from '../eval/run-eval.ts';

const row = (turn: number, mrr: number) => ({ turn, 'hits@1': mrr / 2, 'hits@5': 0.75, 'hits@10': 0.875, 'mrr@5': mrr });

const report: EvalReport = {
  dataset: 'world-test-seed7',
  model: 'builtin',
  queries: 8,
  results: {
    none: [row(1, 0.3), row(2, 0.3), row(3, 0.3)],
    'a<b&c': [row(1, 0.3), row(2, 0.45), row(3, 0.6)],
  },
};

test('the Markdown table has the header and one row per strategy and turn, in report order', () => {
  const md = reportMarkdown(report, { seed: 7, notes: ['note one'] });
  const lines = md.trimEnd().split('\n');
  assert.equal(lines[0], '# Retrieval with relevance feedback: world-test-seed7');
  for (const l of ['- dataset: world-test-seed7', '- model: builtin', '- queries: 8', '- seed: 7', '- turns: 3', '- note one']) assert.ok(lines.includes(l), l);
  const table = lines.filter((l) => l.startsWith('| '));
  assert.equal(table[0], '| strategy | turn | hits@1 | hits@5 | hits@10 | mrr@5 |');
  assert.deepEqual(table.slice(2), [
    '| none | 1 | 0.150 | 0.750 | 0.875 | 0.300 |',
    '| none | 2 | 0.150 | 0.750 | 0.875 | 0.300 |',
    '| none | 3 | 0.150 | 0.750 | 0.875 | 0.300 |',
    '| a<b&c | 1 | 0.150 | 0.750 | 0.875 | 0.300 |',
    '| a<b&c | 2 | 0.225 | 0.750 | 0.875 | 0.450 |',
    '| a<b&c | 3 | 0.300 | 0.750 | 0.875 | 0.600 |',
  ]);
  assert.match(reportMarkdown(report), /- seed: none/);
});

test('the plot puts each turn at its x and each MRR@5 at its height, with a legend entry per strategy', () => {
  const svg = mrrSvg(report);
  // y axis tops at 0.6 (the best value); plot area 60..460 × 40..340: turn t at x = 60 + (t-1)·200,
  // value v at y = 40 + 300·(1 − v/0.6).
  assert.deepEqual(plotArea, { left: 60, top: 40, width: 400, height: 300 });
  assert.equal(yAxisMax(report), 0.6);
  const lines = [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(lines, ['60,190 260,190 460,190', '60,190 260,115 460,40']);
  assert.equal([...svg.matchAll(/<circle /g)].length, 6);
  // Axis labels and ticks: 0.00 at the bottom, 0.60 at the top; turns 1..3 under the axis.
  assert.match(svg, /<text x="54" y="344" text-anchor="end">0\.00<\/text>/);
  assert.match(svg, /<text x="54" y="44" text-anchor="end">0\.60<\/text>/);
  for (const [t, x] of [[1, 60], [2, 260], [3, 460]]) assert.match(svg, new RegExp(`<text x="${x}" y="358" text-anchor="middle">${t}</text>`));
  assert.match(svg, />MRR@5<\/text>/);
  assert.match(svg, />turn<\/text>/);
  // Legend: names escaped, in report order.
  const legend = [...svg.matchAll(/<text x="520" y="\d+">([^<]+)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(legend, ['none', 'a&lt;b&amp;c']);
  assert.ok(!svg.includes('a<b'), 'names are escaped');
});

test('one turn plots at the middle of the axis, and the axis is at least 0.1 high', () => {
  const single: EvalReport = { ...report, results: { none: [row(1, 0.02)] } };
  assert.equal(yAxisMax(single), 0.1);
  assert.match(mrrSvg(single), /<polyline points="260,280"/);
});

test('--out files: written into a new folder, no temporary files left, same bytes every time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eval-report-files-'));
  try {
    const out = join(dir, 'nested', 'eval-world');
    const paths = writeReportFiles(out, report, { seed: 7 });
    assert.deepEqual(readdirSync(out).sort(), ['eval.json', 'eval.md', 'mrr5.svg']);
    assert.deepEqual(JSON.parse(readFileSync(paths.json, 'utf8')), report);
    const first = [paths.json, paths.markdown, paths.svg].map((p) => readFileSync(p, 'utf8'));
    writeReportFiles(out, report, { seed: 7 });
    assert.deepEqual([paths.json, paths.markdown, paths.svg].map((p) => readFileSync(p, 'utf8')), first);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
