// Atomic replacement of a file: write beside it, flush to disk, rename over it. A crash leaves either
// the old file or the new one, never a torn mix.
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

function tempPathFor(file: string): string {
  return `${file}.${process.pid}.${Date.now()}.tmp`;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Runs `write(tempPath)`, then moves the result to `file` atomically. */
export function replaceFileAtomically(file: string, write: (tempPath: string) => void): void {
  const temp = tempPathFor(file);
  try {
    write(temp);
    fsyncPath(temp);
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  // Persist the rename itself; directories cannot be fsynced on every platform, which is harmless.
  try {
    fsyncPath(dirname(file));
  } catch {
    /* best effort */
  }
}

export function writeFileAtomically(file: string, data: Uint8Array): void {
  replaceFileAtomically(file, (temp) => writeFileSync(temp, data));
}
