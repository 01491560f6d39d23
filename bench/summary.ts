// The one-table summary of every benchmark: each figure beside its target (issue 8) and whether it
// was met, read back from the JSON files the benchmarks wrote (bench/report.ts).
import { markdownTable, type Cell } from './report.ts';

/** A report as read back from bench/results/<name>.json. */
export interface StoredReport {
  name: string;
  settings: Record<string, Cell>;
  rows: Record<string, Cell>[];
  measuredAt?: string;
  machine?: Record<string, Cell>;
}

export interface Figure {
  benchmark: string;
  figure: string;
  value: Cell;
  target: string;
  /** null: no target, or nothing measured. */
  met: boolean | null;
  conditions: string;
}

interface Target {
  text: string;
  test: (value: number) => boolean;
}

export const targets = {
  int8EndToEnd: { text: '≥ 40 images/s', test: (v: number) => v >= 40 },
  recall: { text: '≥ 0.98', test: (v: number) => v >= 0.98 },
  millionPeakRss: { text: '< 3072 MiB', test: (v: number) => v < 3072 },
  refineTurnP50: { text: '< 10 ms', test: (v: number) => v < 10 },
  regionRerankP50: { text: '< 50 ms', test: (v: number) => v < 50 },
} satisfies Record<string, Target>;

function num(value: Cell | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function figure(benchmark: string, name: string, value: Cell | undefined, target?: Target, conditions = ''): Figure {
  const n = num(value);
  return {
    benchmark,
    figure: name,
    value: value ?? null,
    target: target?.text ?? '—',
    met: target && n !== null ? target.test(n) : null,
    conditions,
  };
}

/** The load average around a measurement, beside the core count: how contended the CPU was. */
function conditionsOf(row: Record<string, Cell>, cores: Cell | undefined, threads: Cell | undefined): string {
  const parts = [];
  if (num(row.loadBefore) !== null) parts.push(`load ${row.loadBefore}→${row.loadAfter} on ${cores ?? '?'} cores`);
  if (threads !== undefined) parts.push(`${threads} threads`);
  if (num(row.cpuMsPerImage) !== null) parts.push(`${(row.cpuMsPerImage as number).toFixed(1)} CPU-ms/image`);
  return parts.join(', ');
}

function encodeCpu(r: StoredReport): Figure[] {
  return r.rows.map((row) => {
    const name = row.phase === 'decode' ? 'decode + resize, images/s' : `${row.dtype} ${row.phase}, images/s`;
    const target = row.dtype === 'q8' && row.phase === 'end-to-end' ? targets.int8EndToEnd : undefined;
    return figure(r.name, name, row.imagesPerSecond, target, conditionsOf(row, r.machine?.cores, r.settings.threads));
  });
}

function recallKey(row: Record<string, Cell>): string | undefined {
  return Object.keys(row).find((k) => k.startsWith('recall@'));
}

/**
 * Search rows at the efSearch configured now (the recall target applies to the setting in use).
 * Rows measured at other values are listed without a target.
 */
function searchRows(r: StoredReport, rows: Record<string, Cell>[], conditions: string, efSearch: number): Figure[] {
  return rows.flatMap((row) => {
    const key = recallKey(row);
    const current = row.efSearch === efSearch;
    const label = `${row.data ? `${row.data} ` : ''}efSearch ${row.efSearch}${current ? ', configured' : ''}`;
    // Isotropic random vectors are a worst case no embedding looks like: measured, without a target.
    const target = current && row.data !== 'isotropic' ? targets.recall : undefined;
    return [
      figure(r.name, `search p50 ms (${label})`, row.p50Ms, undefined, conditions),
      figure(r.name, `search p99 ms (${label})`, row.p99Ms, undefined, conditions),
      ...(key ? [figure(r.name, `${key} (${label})`, row[key], target, conditions)] : []),
    ];
  });
}

function million(r: StoredReport, efSearch: number): Figure[] {
  const s = r.settings;
  const partial = s.target !== undefined && s.target !== s.vectors ? ` (partial run: ${s.target} not reached)` : '';
  const conditions = `${s.vectors} × ${s.dim}-d, m ${s.m}, efConstruction ${s.efConstruction}${partial}`;
  // Rows of the largest size measured (a run measures at checkpoints on its way).
  const rows = r.rows.filter((row) => row.vectors === undefined || row.vectors === s.vectors);
  // Every efSearch measured: the figures say which one meets the target, whatever the setting was.
  const searches = rows.filter((row) => row.measure === 'search');
  const turn = rows.find((row) => typeof row.measure === 'string' && row.measure.startsWith('refine turn'));
  return [
    figure(r.name, 'build seconds (SQLite rows + HNSW)', s.buildSeconds, undefined, conditions),
    figure(r.name, 'peak RSS MiB', s.peakRssMiB, targets.millionPeakRss, conditions),
    ...searchRows(r, searches, conditions, efSearch),
    ...(turn
      ? [
          figure(r.name, 'refine turn p50 ms', turn.p50Ms, targets.refineTurnP50, `${conditions}; ${turn.measure}`),
          figure(r.name, 'refine turn p99 ms', turn.p99Ms, undefined, conditions),
        ]
      : []),
  ];
}

function encodeGpu(r: StoredReport): Figure[] {
  return r.rows.flatMap((row) => {
    const label = row.shape === '-' ? String(row.provider) : `${row.shape} ${row.provider} ${row.dtype}`;
    if (row.status !== 'measured') return [figure(r.name, `${label}, images/s`, 'skipped', undefined, String(row.reason ?? ''))];
    return [
      ...(row.encodeOnlyImagesPerSecond !== undefined ? [figure(r.name, `${label} encode only, images/s`, row.encodeOnlyImagesPerSecond, undefined, `batch ${row.batch}`)] : []),
      ...(row.endToEndImagesPerSecond !== undefined ? [figure(r.name, `${label} end to end, images/s`, row.endToEndImagesPerSecond, undefined, `batch ${row.batch}`)] : []),
    ];
  });
}

function int8Accuracy(r: StoredReport): Figure[] {
  return r.rows.map((row) => {
    if (row.status !== 'measured') return figure(r.name, 'q8 vs fp32 retrieval', 'skipped', undefined, String(row.reason ?? ''));
    const f = (v: Cell | undefined) => (typeof v === 'number' ? v.toFixed(3) : '?');
    const delta = num(row['Δ hits@10']);
    return figure(r.name, `hits@10 fp32 → q8 (${row.strategy}, turn ${row.turn})`, `${f(row['fp32 hits@10'])} → ${f(row['q8 hits@10'])} (Δ ${delta === null ? '?' : (delta >= 0 ? '+' : '') + delta.toFixed(3)})`, undefined, `${r.settings.queries} world queries`);
  });
}

function indexThroughput(r: StoredReport): Figure[] {
  return r.rows.map((row) => figure(r.name, `fp32 ${row.phase}, images/s`, row.imagesPerSecond));
}

function regionsRerank(r: StoredReport): Figure[] {
  const conditions = `${r.settings.n} images × ${r.settings.regionsPerImage} regions, ${r.settings.dim}-d`;
  return r.rows.flatMap((row) => [
    figure(r.name, `re-rank turn p50 ms (${row.dtype}, ${row.marks} marks, ${row.candidates} candidates)`, row.rerankMsP50, targets.regionRerankP50, conditions),
    figure(r.name, `re-rank turn p95 ms (${row.dtype}, ${row.marks} marks, ${row.candidates} candidates)`, row.rerankMsP95, undefined, conditions),
  ]);
}

function refineRegions(r: StoredReport): Figure[] {
  return r.rows.flatMap((row) => {
    const conditions = `through refine-query, ${row.images} images × ${row.regionsPerImage} regions, ${row.dim}-d, pool ${row.pool}, load ${row.loadavg}`;
    const turn = `refine turn, ${row.situation}, ${row.marks} marks (${row.newImages} images new to the turn)`;
    return [
      figure(r.name, `${turn} p50 ms`, row.refineMsP50, targets.regionRerankP50, conditions),
      figure(r.name, `${turn} p95 ms`, row.refineMsP95, undefined, conditions),
    ];
  });
}

function regionsStore(r: StoredReport): Figure[] {
  return r.rows.map((row) => figure(r.name, `bytes per image (${row.dtype})`, row.bytesPerImage, undefined, `${row.regionsPerImage} regions × ${row.dim}-d`));
}

/** Per region source: what extracting its regions costs per image (the proposal rows are in regions-extraction.md). */
function regionsExtraction(r: StoredReport): Figure[] {
  return r.rows
    .filter((row) => row.source !== undefined && row.source !== null && row.source !== '')
    .flatMap((row) => {
      const conditions = `model ${row.model} (${row.dim}-d), ${row.regionsPerImage} regions/image, 224-px scenes`;
      return [
        figure(r.name, `${row.source}: proposal ms/image`, row.proposeMsPerImage, undefined, conditions),
        figure(r.name, `${row.source}: crop encoding ms/image`, row.encodeMsPerImage, undefined, conditions),
      ];
    });
}

/** Any other report: each numeric cell of each row, labelled by the row's first cell. */
function generic(r: StoredReport): Figure[] {
  return r.rows.flatMap((row) => {
    const [first, ...rest] = Object.entries(row);
    return rest.filter(([, v]) => typeof v === 'number').map(([k, v]) => figure(r.name, `${first?.[1] ?? ''} ${k}`.trim(), v));
  });
}

/** `efSearch`: the value configured now (configs/index.yaml), whose recall is held to the target. */
export function figuresOf(report: StoredReport, efSearch: number): Figure[] {
  switch (report.name) {
    case 'encode-cpu':
      return encodeCpu(report);
    case 'million':
      return million(report, efSearch);
    case 'search-latency':
      return searchRows(report, report.rows.filter((row) => row.efSearch === efSearch), `${report.settings.vectors} × ${report.settings.dim}-d`, efSearch);
    case 'encode-gpu':
      return encodeGpu(report);
    case 'index-throughput':
      return indexThroughput(report);
    case 'int8-accuracy':
      return int8Accuracy(report);
    case 'regions-rerank':
      return regionsRerank(report);
    case 'regions-store':
      return regionsStore(report);
    case 'refine-regions':
      return refineRegions(report);
    case 'regions-extraction':
      return regionsExtraction(report);
    default:
      return generic(report);
  }
}

/** A benchmark that did not produce a report this run. */
export interface FailedRun {
  name: string;
  reason: string;
}

export function summaryMarkdown(reports: StoredReport[], failed: FailedRun[], machineLine: string, efSearch: number): string {
  const figures = reports.flatMap((r) => figuresOf(r, efSearch));
  const rows = figures.map((f) => ({
    benchmark: f.benchmark,
    figure: f.figure,
    value: f.value,
    target: f.target,
    met: f.met === null ? '—' : f.met ? 'met' : 'NOT met',
    conditions: f.conditions,
  }));
  for (const f of failed) rows.push({ benchmark: f.name, figure: 'run', value: 'failed', target: '—', met: '—', conditions: f.reason });
  const withTarget = figures.filter((f) => f.met !== null);
  return [
    '# Benchmark summary',
    '',
    `Machine: ${machineLine}.`,
    '',
    `Recall targets apply to the efSearch configured now (${efSearch}); other values are listed for comparison.`,
    '',
    `Targets met: ${withTarget.filter((f) => f.met).length} of ${withTarget.length}.`,
    '',
    markdownTable(rows),
    '',
    ...reports.map((r) => `- ${r.name}: measured ${r.measuredAt ?? '?'} (details in ${r.name}.md)`),
    '',
  ].join('\n');
}
