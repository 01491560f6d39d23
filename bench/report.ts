// Writes a benchmark's results under bench/results/ as JSON (for tools) and a Markdown table (for
// people), both atomically, together with the machine they were measured on.
import { mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../engine/config/load-config.ts';
import { writeFileAtomically } from '../engine/index/atomic-file.ts';

export type Cell = string | number | boolean | null;

export interface BenchReport {
  /** File name without extension, e.g. "search-latency". */
  name: string;
  title: string;
  /** Settings the numbers depend on (sizes, parameters). */
  settings: Record<string, Cell>;
  rows: Record<string, Cell>[];
  notes?: string[];
}

export function machine(): Record<string, Cell> {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

function formatCell(value: Cell): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1);
  return value === null ? '' : String(value);
}

export function markdownTable(rows: Record<string, Cell>[]): string {
  if (rows.length === 0) return '';
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(columns), line(columns.map(() => '---')), ...rows.map((r) => line(columns.map((c) => formatCell(r[c] ?? null))))].join('\n');
}

/** Writes bench/results/<name>.json and .md; returns their paths. */
export function writeBenchReport(report: BenchReport, dir = join(repoRoot, 'bench', 'results')): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const measuredAt = new Date().toISOString();
  const host = machine();
  const json = join(dir, `${report.name}.json`);
  const markdown = join(dir, `${report.name}.md`);
  writeFileAtomically(json, Buffer.from(`${JSON.stringify({ ...report, measuredAt, machine: host }, null, 2)}\n`));
  const settings = Object.entries(report.settings).map(([k, v]) => `- ${k}: ${formatCell(v)}`);
  const hostLine = Object.entries(host).map(([k, v]) => `${k} ${formatCell(v)}`).join(', ');
  const text = [
    `# ${report.title}`,
    '',
    `Measured ${measuredAt} on ${hostLine}.`,
    '',
    ...settings,
    '',
    markdownTable(report.rows),
    ...(report.notes?.length ? ['', ...report.notes] : []),
    '',
  ].join('\n');
  writeFileAtomically(markdown, Buffer.from(text));
  return { json, markdown };
}
