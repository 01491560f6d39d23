// What `visualref eval --out DIR` writes: eval.json (the report as --json prints it), eval.md (a
// header and one table row per strategy and turn) and mrr5.svg (MRR@5 per turn, one line per
// strategy). Every file is written atomically; the same report always gives the same bytes.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../engine/index/atomic-file.ts';
import type { EvalReport } from './run-eval.ts';

export interface ReportHeader {
  /** World seed of the collection, when it is a rendered world. */
  seed?: number;
  /** Lines added under the header (what the strategies are, how the user is simulated). */
  notes?: string[];
}

const metricNames = ['hits@1', 'hits@5', 'hits@10', 'mrr@5'] as const;

export function reportJson(report: EvalReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export function reportMarkdown(report: EvalReport, header: ReportHeader = {}): string {
  const turns = Math.max(...Object.values(report.results).map((r) => r.length));
  const lines = [
    `# Retrieval with relevance feedback: ${report.dataset}`,
    '',
    `- dataset: ${report.dataset}`,
    `- model: ${report.model}`,
    `- queries: ${report.queries}`,
    `- seed: ${header.seed ?? 'none (not a rendered world)'}`,
    `- turns: ${turns}`,
    ...(header.notes ?? []).map((n) => `- ${n}`),
    ...(report.crops ? [`- single-object crops named by the right "colour shape" among ${report.crops.phrases} phrases: ${report.crops.accuracy.toFixed(3)} (${report.crops.objects} objects)`] : []),
    '',
    `| strategy | turn | ${metricNames.join(' | ')} |`,
    `| --- | ---: | ${metricNames.map(() => '---:').join(' | ')} |`,
  ];
  for (const [name, rows] of Object.entries(report.results)) {
    for (const row of rows) lines.push(`| ${name} | ${row.turn} | ${metricNames.map((m) => row[m].toFixed(3)).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

// Plot layout, in SVG user units: the plot area and where the legend starts.
export const plotArea = { left: 60, top: 40, width: 400, height: 300 };
const legendX = 490;
const svgWidth = 700;
const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#637939', '#8c6d31', '#843c39'];

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Coordinates are rounded to 0.1 so that the output does not depend on float noise. */
const fmt = (v: number) => String(Math.round(v * 10) / 10);

/** The top of the y axis: the best MRR@5 rounded up to a tenth (at least 0.1, at most 1). */
export function yAxisMax(report: EvalReport): number {
  const best = Math.max(0, ...Object.values(report.results).flatMap((rows) => rows.map((r) => r['mrr@5'])));
  return Math.min(1, Math.max(0.1, Math.ceil(best * 10 - 1e-9) / 10));
}

export function mrrSvg(report: EvalReport): string {
  const names = Object.keys(report.results);
  const turns = Math.max(1, ...Object.values(report.results).map((r) => r.length));
  const yMax = yAxisMax(report);
  const { left, top, width, height } = plotArea;
  const x = (turn: number) => (turns === 1 ? left + width / 2 : left + ((turn - 1) * width) / (turns - 1));
  const y = (value: number) => top + height * (1 - value / yMax);
  const legendHeight = names.length * 20 + 10;
  const svgHeight = Math.max(top + height + 60, top + legendHeight + 10);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${svgWidth}" height="${svgHeight}" viewBox="0 0 ${svgWidth} ${svgHeight}" font-family="sans-serif" font-size="12">`,
    `<rect width="${svgWidth}" height="${svgHeight}" fill="#ffffff"/>`,
    `<text x="${left}" y="22" font-size="14">${escapeXml(`MRR@5 per turn: ${report.dataset} · ${report.model} · ${report.queries} queries`)}</text>`,
  ];
  // Horizontal grid and y ticks every 0.1 (every 0.05 when the axis is short).
  const step = yMax <= 0.3 ? 0.05 : 0.1;
  for (let k = 0; k * step <= yMax + 1e-9; k++) {
    const v = k * step;
    out.push(`<line x1="${left}" y1="${fmt(y(v))}" x2="${left + width}" y2="${fmt(y(v))}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${v.toFixed(2)}</text>`);
  }
  for (let t = 1; t <= turns; t++) {
    out.push(`<line x1="${fmt(x(t))}" y1="${top + height}" x2="${fmt(x(t))}" y2="${top + height + 5}" stroke="#000000"/>`);
    out.push(`<text x="${fmt(x(t))}" y="${top + height + 18}" text-anchor="middle">${t}</text>`);
  }
  out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + height}" stroke="#000000"/>`);
  out.push(`<line x1="${left}" y1="${top + height}" x2="${left + width}" y2="${top + height}" stroke="#000000"/>`);
  out.push(`<text x="${left + width / 2}" y="${top + height + 40}" text-anchor="middle">turn</text>`);
  out.push(`<text x="16" y="${top + height / 2}" text-anchor="middle" transform="rotate(-90 16 ${top + height / 2})">MRR@5</text>`);
  names.forEach((name, i) => {
    const colour = palette[i % palette.length];
    // Dashed: an upper bound (region-oracle), or a colour used a second time.
    const dash = name.endsWith('-oracle') || i >= palette.length ? ' stroke-dasharray="6 3"' : '';
    const rows = report.results[name];
    const points = rows.map((r) => `${fmt(x(r.turn))},${fmt(y(r['mrr@5']))}`).join(' ');
    out.push(`<g data-strategy="${escapeXml(name)}">`);
    out.push(`<polyline points="${points}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
    for (const r of rows) out.push(`<circle cx="${fmt(x(r.turn))}" cy="${fmt(y(r['mrr@5']))}" r="3" fill="${colour}"/>`);
    const ly = top + 10 + i * 20;
    out.push(`<line x1="${legendX}" y1="${ly}" x2="${legendX + 24}" y2="${ly}" stroke="${colour}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${legendX + 30}" y="${ly + 4}">${escapeXml(name)}</text>`);
    out.push('</g>');
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** Writes eval.json, eval.md and mrr5.svg into `dir` (created if needed); returns their paths. */
export function writeReportFiles(dir: string, report: EvalReport, header: ReportHeader = {}): { json: string; markdown: string; svg: string } {
  mkdirSync(dir, { recursive: true });
  const paths = { json: join(dir, 'eval.json'), markdown: join(dir, 'eval.md'), svg: join(dir, 'mrr5.svg') };
  writeFileAtomically(paths.json, Buffer.from(reportJson(report)));
  writeFileAtomically(paths.markdown, Buffer.from(reportMarkdown(report, header)));
  writeFileAtomically(paths.svg, Buffer.from(mrrSvg(report)));
  return paths;
}
