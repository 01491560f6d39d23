// Progress of an index run on stderr: a redrawn bar on a terminal, a plain line every few seconds
// otherwise (logs, CI), so stdout stays free for the command's output.
import type { IndexProgress } from '../engine/library/indexer.ts';

export function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mmss = `${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

export function describeProgress(p: IndexProgress): string {
  const rate = `${p.filesPerSecond.toFixed(1)} files/s`;
  return `${p.done}/${p.total} files, ${p.indexed} indexed, ${p.skipped} skipped, ${rate}, ETA ${formatSeconds(p.etaSeconds)}`;
}

export function progressReporter(
  stream: NodeJS.WriteStream = process.stderr,
  intervalMs = 5000,
): { update(p: IndexProgress): void; finish(): void } {
  const tty = Boolean(stream.isTTY);
  let lastLine = 0;
  let drawn = false;
  let saidNothing = false;
  return {
    update(p) {
      if (p.phase === 'scan') {
        stream.write('scanning…\n');
        return;
      }
      // A re-index with nothing new says so once, instead of a "0/0 files" bar.
      if (p.total === 0) {
        if (!saidNothing) stream.write('no new or changed files to encode\n');
        saidNothing = true;
        return;
      }
      if (tty) {
        const width = 24;
        const fraction = p.total > 0 ? p.done / p.total : 1;
        const filled = Math.round(fraction * width);
        const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
        stream.write(`\r\x1b[2K${bar} ${describeProgress(p)}`);
        drawn = true;
        return;
      }
      const now = Date.now();
      if (p.phase === 'index' && (p.done === 0 || p.done === p.total || now - lastLine >= intervalMs)) {
        lastLine = now;
        stream.write(`${describeProgress(p)}\n`);
      }
    },
    /** Ends the redrawn line, so that what is written next starts on a line of its own. */
    finish() {
      if (tty && drawn) stream.write('\n');
      drawn = false;
    },
  };
}
