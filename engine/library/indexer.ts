// Indexes a folder into a library: scan, diff with the store, then a pipeline in which reading,
// hashing, decoding and resizing (several files in flight) overlap batched encoding. Each batch is
// committed in one transaction and then added to the index; the index is saved periodically and at
// the end. A run killed at any moment is finished by the next one: committed rows are never redone,
// uncommitted ones are redone, and the library reconciles its index with the database on open.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { RgbImage } from '../types.ts';
import type { ImageTokens } from '../regions/region-embedding.ts';
import type { FileState } from '../store/image-store.ts';
import type { Library, SkippedFile } from './library.ts';
import type { ModelRuntime } from './model-runtime.ts';
import { rememberModel } from './paths.ts';
import { scanFolder, type ScannedFile } from './scan.ts';
import { acquireWriteLock } from './write-lock.ts';

export interface IndexProgress {
  phase: 'scan' | 'index' | 'done';
  /** Files to read in this run (new or changed). */
  total: number;
  done: number;
  indexed: number;
  skipped: number;
  filesPerSecond: number;
  /** Seconds left at the current rate, null until there is a rate. */
  etaSeconds: number | null;
}

export interface IndexRunOptions {
  /** The folder to index. */
  folder: string;
  batchSize?: number;
  decodeAhead?: number;
  onProgress?: (progress: IndexProgress) => void;
  /** Stops after the batch in flight (its rows are committed). */
  signal?: AbortSignal;
  /**
   * Called after each committed batch with its newly indexed images, their file bytes and, when the
   * model has a per-token head, their tokens from the same encoder pass (the region store's input).
   */
  onIndexed?: (images: IndexedImage[]) => Promise<void>;
}

export interface IndexedImage {
  id: number;
  hash: string;
  bytes: Buffer;
  tokens?: ImageTokens;
}

export interface IndexReport {
  root: string;
  /** Image files found. */
  scanned: number;
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  /** Files of this run that could not be indexed. */
  skipped: number;
  skippedFiles: SkippedFile[];
  /** Folders that could not be read (their stored images are kept). */
  unreadableFolders: SkippedFile[];
  seconds: number;
  aborted: boolean;
}

export interface WorkItem {
  file: ScannedFile;
  previous?: FileState;
}

export type Prepared =
  | { kind: 'ok'; item: WorkItem; hash: string; pixels: RgbImage; width: number; height: number; bytes: Buffer }
  | { kind: 'bad'; item: WorkItem; hash: string | null; reason: string }
  | { kind: 'unchanged'; item: WorkItem };

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Reads, hashes, decodes and resizes one file; never rejects (failures become 'bad'). */
export async function prepareFile(item: WorkItem, runtime: ModelRuntime, maxPixels: number): Promise<Prepared> {
  let bytes: Buffer;
  try {
    bytes = await readFile(item.file.absPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOENT' ? 'file removed during indexing' : errorMessage(err);
    return { kind: 'bad', item, hash: null, reason };
  }
  const hash = createHash('sha256').update(bytes).digest('hex');
  // Size or mtime changed but not the content: nothing to encode again.
  if (item.previous && item.previous.hash === hash) return { kind: 'unchanged', item };
  if (bytes.length === 0) return { kind: 'bad', item, hash, reason: 'empty file (0 bytes)' };
  try {
    const size = await runtime.imageSize(bytes, { maxPixels });
    const pixels = await runtime.prepare(bytes, undefined, { maxPixels });
    return { kind: 'ok', item, hash, pixels, width: size.width, height: size.height, bytes };
  } catch (err) {
    return { kind: 'bad', item, hash, reason: errorMessage(err).replace(/^image buffer \(\d+ bytes\): /, '') };
  }
}

/** Under one of `folders` (relative paths), or one of them. */
export function isUnder(relPath: string, folders: string[]): boolean {
  return folders.some((f) => f === '.' || relPath === f || relPath.startsWith(`${f}/`));
}

export async function indexFolder(library: Library, options: IndexRunOptions): Promise<IndexReport> {
  const started = performance.now();
  const settings = library.indexConfig.indexer;
  const batchSize = options.batchSize ?? settings.batchSize;
  const decodeAhead = Math.max(options.decodeAhead ?? settings.decodeAhead, batchSize);
  const root = resolve(options.folder);
  const store = library.store;

  const release = acquireWriteLock(library.lockFile);
  try {
    library.setRoot(root);
    rememberModel(library.dataDir, library.model);
    const progress: IndexProgress = { phase: 'scan', total: 0, done: 0, indexed: 0, skipped: 0, filesPerSecond: 0, etaSeconds: null };
    options.onProgress?.({ ...progress });

    const scan = await scanFolder(root, settings.extensions);
    const unreadableFolders = scan.problems.filter((p) => !p.isImage).map((p) => ({ path: p.relPath, reason: p.reason }));
    const states = store.fileStates();
    const seen = new Set<string>();
    const work: WorkItem[] = [];
    let unchanged = 0;
    for (const file of scan.files) {
      seen.add(file.relPath);
      const previous = states.get(file.relPath);
      if (previous && previous.size === file.size && previous.mtimeMs === file.mtimeMs) unchanged++;
      else work.push({ file, previous });
    }

    const report: IndexReport = {
      root,
      scanned: scan.files.length + scan.problems.filter((p) => p.isImage).length,
      added: 0,
      updated: 0,
      unchanged,
      removed: 0,
      skipped: 0,
      skippedFiles: [],
      unreadableFolders,
      seconds: 0,
      aborted: false,
    };
    const skip = (path: string, reason: string) => {
      report.skipped++;
      report.skippedFiles.push({ path, reason });
    };
    // Files that look like images but cannot even be stat'ed (dangling symlinks, vanished entries).
    const statFailures = scan.problems.filter((p) => p.isImage);
    store.transaction(() => {
      for (const problem of statFailures) {
        seen.add(problem.relPath);
        const previous = states.get(problem.relPath);
        skip(problem.relPath, problem.reason);
        if (previous?.status === 'skipped' && previous.size === -1) continue;
        store.write({ relPath: problem.relPath, size: -1, mtimeMs: 0, hash: null, status: 'skipped', reason: problem.reason });
        if (previous) report.updated++;
        else report.added++;
      }
    });
    library.unindex(statFailures.map((p) => states.get(p.relPath)?.id).filter((id): id is number => id !== undefined));

    // Records whose file is gone, except under folders that could not be read this time.
    const unreadable = unreadableFolders.map((f) => f.path);
    const gone = [...states].filter(([relPath]) => !seen.has(relPath) && !isUnder(relPath, unreadable)).map(([, s]) => s.id);
    store.transaction(() => {
      for (const id of gone) store.delete(id);
    });
    library.unindex(gone);
    report.removed = gone.length;

    progress.phase = 'index';
    progress.total = work.length;
    options.onProgress?.({ ...progress });
    const runtime = work.length ? await library.runtime() : undefined;
    let lastSave = performance.now();
    const indexStarted = performance.now();

    // Decoding runs up to `decodeAhead` files ahead of the encoder, in file order.
    const pending: Promise<Prepared>[] = [];
    let next = 0;
    const fill = () => {
      while (runtime && pending.length < decodeAhead && next < work.length) pending.push(prepareFile(work[next++], runtime, settings.maxPixels));
    };
    fill();
    while (pending.length > 0) {
      if (options.signal?.aborted) {
        report.aborted = true;
        break;
      }
      const batch: Prepared[] = [];
      while (batch.length < batchSize && pending.length > 0) {
        batch.push(await pending.shift()!);
        fill();
      }
      const ok = batch.filter((p) => p.kind === 'ok');
      const pixels = ok.map((p) => p.pixels);
      const withTokens = options.onIndexed && runtime!.encodeImagesWithTokens;
      const encoded = !ok.length ? [] : withTokens ? await withTokens(pixels) : (await runtime!.encodeImages(pixels)).map((embedding) => ({ embedding, tokens: undefined }));
      const vectors = encoded.map((e) => e.embedding);
      const indexed: IndexedImage[] = [];

      const added: { id: number; vector: Float32Array }[] = [];
      const dropped: number[] = [];
      store.transaction(() => {
        for (const p of batch) {
          const { file, previous } = p.item;
          if (p.kind === 'unchanged') {
            store.touch(previous!.id, file.size, file.mtimeMs);
            continue;
          }
          if (previous) report.updated++;
          else report.added++;
          if (p.kind === 'ok') {
            const vector = vectors[ok.indexOf(p)];
            const id = store.write({ relPath: file.relPath, size: file.size, mtimeMs: file.mtimeMs, hash: p.hash, width: p.width, height: p.height, status: 'indexed', vector });
            added.push({ id, vector });
            indexed.push({ id, hash: p.hash, bytes: p.bytes, tokens: encoded[ok.indexOf(p)].tokens });
          } else {
            const id = store.write({ relPath: file.relPath, size: file.size, mtimeMs: file.mtimeMs, hash: p.hash, status: 'skipped', reason: p.reason });
            dropped.push(id);
          }
        }
      });
      library.indexVectors(added);
      library.unindex(dropped);
      if (indexed.length) await options.onIndexed?.(indexed);
      for (const p of batch) {
        if (p.kind === 'bad') skip(p.item.file.relPath, p.reason);
        else if (p.kind === 'unchanged') report.unchanged++;
      }

      progress.done += batch.length;
      progress.indexed += added.length;
      progress.skipped += dropped.length;
      const elapsed = (performance.now() - indexStarted) / 1000;
      progress.filesPerSecond = elapsed > 0 ? progress.done / elapsed : 0;
      progress.etaSeconds = progress.filesPerSecond > 0 ? (progress.total - progress.done) / progress.filesPerSecond : null;
      options.onProgress?.({ ...progress });
      if (performance.now() - lastSave > settings.saveEverySeconds * 1000) {
        library.saveIndex();
        lastSave = performance.now();
      }
    }
    // Let files still being decoded finish before returning (their results are dropped).
    await Promise.all(pending);
    library.saveIndex();
    report.seconds = (performance.now() - started) / 1000;
    progress.phase = 'done';
    options.onProgress?.({ ...progress });
    return report;
  } finally {
    release();
  }
}
