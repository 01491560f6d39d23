// Notices when the library changes under a running server (an upload, a re-index by another
// process) by polling a cheap signature, and tells every listener once per change.
import { EventEmitter } from 'node:events';
import { log } from '../engine/log.ts';

export class LibraryWatcher {
  private readonly events = new EventEmitter();
  private last: string | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly signature: () => string,
    intervalMs: number,
  ) {
    this.events.setMaxListeners(0);
    this.last = this.read();
    this.timer = setInterval(() => this.check(), intervalMs);
    this.timer.unref();
  }

  private read(): string | undefined {
    try {
      return this.signature();
    } catch (err) {
      log.warn(`cannot read the library state: ${err instanceof Error ? err.message : String(err)}`);
      return this.last;
    }
  }

  /** Compares with the last signature; notifies listeners when it differs. */
  check(): void {
    const now = this.read();
    if (now !== this.last) {
      this.last = now;
      this.events.emit('changed');
    }
  }

  /** Calls `listener` after each change; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.events.on('changed', listener);
    return () => this.events.off('changed', listener);
  }

  close(): void {
    clearInterval(this.timer);
    this.events.removeAllListeners();
  }
}
