// Atomic replacement of a file: write beside it, flush, rename over it; a crash leaves the old file or
// the new one, never a mix.
import { closeSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function replaceFileAtomically(file: string, write: (tempPath: string) => void): void {
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    write(temp);
    fsyncPath(temp);
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  try {
    fsyncPath(dirname(file));
  } catch {
    // Directories cannot be fsynced everywhere; the rename itself is still atomic.
  }
}
