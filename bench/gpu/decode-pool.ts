// Decoding spread over worker threads, so that a fast encoder (a GPU) never waits for images: each
// worker runs sharp's decode + resize + crop (engine/images/prepare.ts) on whole files, and a batch
// of files is prepared by all workers at once. sharp's work runs on libuv's thread pool, shared by
// the whole process and 4 threads by default: a process using a pool of more workers must set
// UV_THREADPOOL_SIZE to at least their number when it starts (encode-gpu.ts does).
import type { Worker } from 'node:worker_threads';
import { startTsWorker } from '../../engine/workers/ts-worker.ts';
import type { PreprocessSpec, RgbImage } from '../../engine/types.ts';

export interface DecodeRequest {
  id: number;
  file: string;
}

export type DecodeReply = { id: number; data: Uint8Array; width: number; height: number } | { id: number; error: string };

interface Pending {
  resolve: (image: RgbImage) => void;
  reject: (err: Error) => void;
}

export class DecodePool {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private readonly load: number[];
  private nextId = 0;

  /** `size` worker threads preparing images for a model with `spec`. */
  constructor(
    readonly size: number,
    spec: PreprocessSpec,
    maxPixels = 100_000_000,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a decode pool needs at least one worker (got ${size})`);
    this.load = Array.from({ length: size }, () => 0);
    this.workers = Array.from({ length: size }, (_, w) => {
      const worker = startTsWorker(new URL('./decode-worker.ts', import.meta.url), { spec, maxPixels });
      worker.on('message', (reply: DecodeReply) => this.settle(w, reply));
      worker.on('error', (err) => this.failAll(err));
      return worker;
    });
  }

  /** The model-ready pixels of one image file; rejects naming the file when it cannot be decoded. */
  prepare(file: string): Promise<RgbImage> {
    const id = this.nextId++;
    // The least busy worker takes the file, so one slow image does not hold up the others.
    const w = this.load.indexOf(Math.min(...this.load));
    this.load[w]++;
    return new Promise<RgbImage>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[w].postMessage({ id, file } satisfies DecodeRequest);
    });
  }

  /** All files of a batch, prepared in parallel, in the order given. */
  prepareBatch(files: readonly string[]): Promise<RgbImage[]> {
    return Promise.all(files.map((f) => this.prepare(f)));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.failAll(new Error('decode pool closed'));
  }

  private settle(worker: number, reply: DecodeReply): void {
    this.load[worker]--;
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if ('error' in reply) pending.reject(new Error(reply.error));
    else pending.resolve({ data: reply.data, width: reply.width, height: reply.height });
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
