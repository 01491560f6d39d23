// Captioning a whole collection for generative relevance feedback: a resumable job over the library's
// images. Each caption is committed as soon as it arrives, so a crash or kill loses at most the one in
// flight, and a re-run goes on with the images still without one.
import type { RgbImage } from '../types.ts';
import { log } from '../log.ts';
import { CaptionerError } from './errors.ts';
import type { VersionedCaptioner } from './create-captioner.ts';
import type { CaptionJob, CaptionStore } from './caption-store.ts';

export interface CaptionAllOptions {
  store: CaptionStore;
  captioner: VersionedCaptioner;
  /** Prompt name (configs/captioning/); default "grf", the paper's two-step prompt. */
  prompt?: string;
  loadImage(id: number): Promise<RgbImage>;
  /** At most this many captions started per second. */
  ratePerSecond?: number;
  /** When aborted, the job stops after the caption in flight. */
  signal?: AbortSignal;
  /** Try again the images whose captioning failed in earlier runs. */
  retryFailed?: boolean;
  onProgress?(progress: CaptionProgress): void;
}

export interface CaptionProgress {
  imageId: number;
  done: number;
  failed: number;
  total: number;
  text?: string;
  error?: string;
}

export interface CaptionAllReport {
  jobId: number;
  state: 'done' | 'cancelled';
  captioned: number;
  failed: number;
  total: number;
  captioner: string;
  promptVersion: string;
}

/** Stop when this many images fail in a row: something is wrong with the captioner, not the images. */
const maxConsecutiveFailures = 10;

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Marks jobs left 'running' by a process that no longer exists as interrupted. */
function settleDeadJobs(store: CaptionStore): CaptionJob[] {
  const alive: CaptionJob[] = [];
  for (const job of store.jobs('running')) {
    if (job.pid !== process.pid && processAlive(job.pid)) alive.push(job);
    else store.finishJob(job.id, job.cancelRequested ? 'cancelled' : 'interrupted');
  }
  return alive;
}

/** Asks running jobs to stop after their caption in flight; returns the jobs asked. */
export function cancelCaptionJobs(store: CaptionStore): CaptionJob[] {
  const running = settleDeadJobs(store);
  for (const job of running) store.requestCancel(job.id);
  return running;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export async function captionAll(options: CaptionAllOptions): Promise<CaptionAllReport> {
  const { store, captioner, signal } = options;
  const prompt = options.prompt ?? 'grf';
  const key = { captioner: captioner.name, promptVersion: captioner.versionFor(prompt) };
  const running = settleDeadJobs(store).filter((j) => j.captioner === key.captioner && j.promptVersion === key.promptVersion);
  if (running.length) {
    throw new CaptionerError(`a caption-all job with ${key.captioner} is already running (pid ${running[0].pid}); stop it with --cancel`, false);
  }
  if (options.retryFailed) store.clearFailures(key);
  const pending = store.pendingIds(key);
  const job = store.startJob({ ...key, prompt }, pending.length);
  const interval = options.ratePerSecond ? 1000 / options.ratePerSecond : 0;
  let nextStart = 0;
  let captioned = 0;
  let failed = 0;
  let failedInARow = 0;
  let state: CaptionAllReport['state'] = 'done';
  try {
    for (const imageId of pending) {
      if (signal?.aborted || store.cancelRequested(job.id)) {
        state = 'cancelled';
        break;
      }
      await sleep(nextStart - performance.now(), signal);
      if (signal?.aborted) {
        state = 'cancelled';
        break;
      }
      nextStart = performance.now() + interval;
      try {
        const image = await options.loadImage(imageId);
        const [result] = await captioner.caption([{ image, prompt, seed: imageId }]);
        store.saveCaption(key, imageId, result, job.id);
        captioned++;
        failedInARow = 0;
        options.onProgress?.({ imageId, done: captioned, failed, total: pending.length, text: result.text });
      } catch (err) {
        // A captioner that cannot work (server down, no vision) stops the job; a bad image does not.
        if (err instanceof CaptionerError) throw err;
        const message = err instanceof Error ? err.message : String(err);
        store.saveFailure(key, imageId, message, job.id);
        failed++;
        options.onProgress?.({ imageId, done: captioned, failed, total: pending.length, error: message });
        if (++failedInARow >= maxConsecutiveFailures) {
          throw new Error(`${failedInARow} images failed in a row; stopping (last: ${message})`, { cause: err });
        }
      }
    }
  } catch (err) {
    store.finishJob(job.id, 'failed', err instanceof Error ? err.message : String(err));
    throw err;
  }
  store.finishJob(job.id, state);
  if (failed) log.warn(`${failed} images could not be captioned; run again with --retry-failed to try them again`);
  return { jobId: job.id, state, captioned, failed, total: pending.length, ...key };
}
