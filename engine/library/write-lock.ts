// One writer per library: a lock file holding the writer's pid. A lock left by a killed process (its
// pid no longer running) is taken over, so kill -9 never leaves a library locked.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holder(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid of another live process holding the lock, if any. */
export function lockHolder(file: string): number | undefined {
  const pid = holder(file);
  return pid !== undefined && pid !== process.pid && isRunning(pid) ? pid : undefined;
}

/** Takes the lock or throws naming the process that holds it; returns the release function. */
export function acquireWriteLock(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        if (holder(file) === process.pid) rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = lockHolder(file);
      if (pid !== undefined) throw new Error(`another visualref process (pid ${pid}) is indexing this library`);
      rmSync(file, { force: true });
    }
  }
  throw new Error(`cannot take the lock ${file}`);
}
