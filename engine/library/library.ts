// A library: the images of one folder encoded with one model, kept under <data>/<model-slug>/ as a
// SQLite database (the source of truth, vectors included) and a vector index file (a cache of the
// vectors, reconciled with the database on open so a crash never loses or duplicates anything).
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Box, EncoderInfo, ExecutionProvider, RgbImage, SearchHit } from '../types.ts';
import { loadIndexConfig, type IndexConfig } from '../index/config.ts';
import { createIndex, indexFileName, openIndex } from '../index/open-index.ts';
import type { PersistentIndex } from '../index/persistent-index.ts';
import { findIndexMismatch } from '../index/verify-index.ts';
import { log } from '../log.ts';
import { openDatabase, type Database } from '../store/database.ts';
import { ImageStore, type ImageRecord, type ImageStatus } from '../store/image-store.ts';
import { loadModelRuntime, type ModelRuntime, type RuntimeOptions } from './model-runtime.ts';
import { canonicalModelRef, defaultDataDir, modelSlug, resolveUnderRoot } from './paths.ts';
import { lockHolder } from './write-lock.ts';
import { ImageFileChangedError, readRecordedFile } from './image-file.ts';
import type { PreparedImage } from '../regions/region-embedding.ts';

export { defaultDataDir } from './paths.ts';

export interface LibraryOptions {
  /** Data directory; default `defaultDataDir()`. */
  dataDir?: string;
  /** Registry name or model folder. */
  model: string;
  provider?: ExecutionProvider;
  /** Overrides configs/index.yaml (tests, benchmarks). */
  indexConfig?: IndexConfig;
  /** Encoder weight variant (e.g. int8 "q8") and threads. */
  runtime?: RuntimeOptions;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface LibraryStatus {
  images: number;
  skipped: number;
  model: string;
  dim: number;
  root: string | null;
  dataDir: string;
  libraryDir: string;
  indexKind: 'hnsw' | 'flat';
  indexBytes: number;
  databaseBytes: number;
  skippedFiles: SkippedFile[];
}

/** An image given to encodeImage: decoded pixels, encoded file bytes, or a library image id. */
export type ImageSource = RgbImage | Uint8Array | { id: number };

export class Library {
  readonly db: Database;
  readonly store: ImageStore;
  private indexRef: PersistentIndex;
  private runtimePromise: Promise<ModelRuntime> | undefined;
  private dimension: number;
  private dirty = false;

  private constructor(
    readonly dataDir: string,
    readonly dir: string,
    readonly model: string,
    private readonly provider: ExecutionProvider,
    readonly indexConfig: IndexConfig,
    db: Database,
    store: ImageStore,
    dim: number,
    private readonly runtimeOptions: RuntimeOptions = {},
  ) {
    this.db = db;
    this.store = store;
    this.dimension = dim;
    this.indexRef = openIndex(this.indexFile, dim, indexConfig);
  }

  /**
   * Opens (or creates) the library of `model` under the data directory. A new library loads the
   * model to learn its dimension; an existing one loads it only when something needs encoding.
   */
  static async open(options: LibraryOptions): Promise<Library> {
    const dataDir = resolve(options.dataDir ?? defaultDataDir());
    const model = canonicalModelRef(options.model);
    const dir = join(dataDir, modelSlug(options.model));
    mkdirSync(dir, { recursive: true });
    const db = openDatabase(join(dir, 'library.db'));
    let runtime: ModelRuntime | undefined;
    try {
      let dim = 0;
      const store = new ImageStore(db, () => dim);
      const storedDim = store.getMeta('dim');
      if (storedDim) {
        dim = Number(storedDim);
      } else {
        runtime = await loadModelRuntime(model, options.provider ?? 'cpu', options.runtime);
        dim = runtime.info.dim;
        store.transaction(() => {
          store.setMeta('model', model);
          store.setMeta('dim', String(dim));
        });
      }
      const library = new Library(dataDir, dir, model, options.provider ?? 'cpu', options.indexConfig ?? loadIndexConfig(), db, store, dim, options.runtime);
      if (runtime) library.runtimePromise = Promise.resolve(runtime);
      library.reconcile();
      return library;
    } catch (err) {
      db.close();
      await runtime?.dispose();
      throw err;
    }
  }

  get dim(): number {
    return this.dimension;
  }

  get index(): PersistentIndex {
    return this.indexRef;
  }

  get indexFile(): string {
    return join(this.dir, indexFileName(this.indexConfig.kind));
  }

  get lockFile(): string {
    return join(this.dir, 'indexer.lock');
  }

  /** The folder this library indexes, once set by the first index run. */
  get root(): string | undefined {
    return this.store.getMeta('root');
  }

  /** Records the indexed folder; a library indexes one folder, so another one is refused. */
  setRoot(folder: string): void {
    const root = resolve(folder);
    const current = this.root;
    if (current === root) return;
    if (current !== undefined && this.store.counts().indexed + this.store.counts().skipped > 0) {
      throw new Error(`this library already indexes ${current}; use another --data directory for ${root}`);
    }
    this.store.setMeta('root', root);
  }

  getImage(id: number): ImageRecord | undefined {
    return this.store.get(id);
  }

  /** Images of the library, in id order (indexed ones unless another status is asked for). */
  listImages(status: ImageStatus | 'all' = 'indexed'): ImageRecord[] {
    return this.store.list(status === 'all' ? undefined : status);
  }

  /** The file of image `id`, resolved under the root; unknown ids and escaping paths are refused. */
  imagePath(id: number): string {
    const record = this.store.get(id);
    if (!record) throw new Error(`no image with id ${id}`);
    const root = this.root;
    if (!root) throw new Error('this library has no indexed folder');
    return resolveUnderRoot(root, record.relPath);
  }

  /**
   * The bytes of indexed image `id`, read only if the file is still the one indexed (see
   * engine/library/image-file.ts). Throws ImageFileChangedError otherwise.
   */
  async readImageFile(id: number): Promise<Buffer> {
    const record = this.store.get(id);
    if (!record || record.status !== 'indexed') throw new ImageFileChangedError(id, record?.relPath ?? '?', 'is not in the library');
    const root = this.root;
    if (!root) throw new Error('this library has no indexed folder');
    return readRecordedFile(root, record);
  }

  /** The pixel limit of every decode of a library or query image (configs/index.yaml). */
  get maxPixels(): number {
    return this.indexConfig.indexer.maxPixels;
  }

  async loadImage(id: number): Promise<RgbImage> {
    const runtime = await this.runtime();
    return runtime.decode(await this.readImageFile(id), { maxPixels: this.maxPixels });
  }

  /**
   * The model's input pixels of indexed image `id` with its original size, from one decode-and-resize
   * (the size is the record's), as the image pass prepared it: what token-pooled boxes need.
   */
  async loadPreparedImage(id: number): Promise<PreparedImage & { prepared: RgbImage }> {
    const record = this.store.get(id);
    if (!record || record.width === null || record.height === null) throw new ImageFileChangedError(id, record?.relPath ?? '?', 'is not in the library');
    const runtime = await this.runtime();
    const size = { width: record.width, height: record.height };
    return { ...size, prepared: await runtime.prepare(await this.readImageFile(id), undefined, { maxPixels: this.maxPixels, size }) };
  }

  async encodeText(text: string): Promise<Float32Array> {
    const runtime = await this.runtime();
    const [vector] = await runtime.encodeTexts([text]);
    return vector;
  }

  /** Encodes an image (or the box of it, in its own pixels) into the library's space. */
  async encodeImage(source: ImageSource, box?: Box): Promise<Float32Array> {
    const runtime = await this.runtime();
    if (!box && 'id' in source && !(source instanceof Uint8Array)) {
      const stored = this.vector(source.id);
      if (stored) return stored;
    }
    const input = source instanceof Uint8Array ? Buffer.from(source.buffer, source.byteOffset, source.byteLength) : 'id' in source ? await this.readImageFile(source.id) : source;
    const [vector] = await runtime.encodeImages([await runtime.prepare(input, box, { maxPixels: this.maxPixels })]);
    return vector;
  }

  /** The `k` nearest images to `vector` by cosine similarity, best first, leaving out `exclude`. */
  search(vector: Float32Array, k: number, options: { exclude?: Set<number> } = {}): SearchHit[] {
    const exclude = options.exclude;
    if (!exclude || exclude.size === 0) return this.indexRef.search(vector, k);
    // Over-fetch by the number excluded: at most that many of the top results can be dropped.
    return this.indexRef
      .search(vector, k + exclude.size)
      .filter((hit) => !exclude.has(hit.id))
      .slice(0, k);
  }

  /** The stored (normalised) vector of image `id`. */
  vector(id: number): Float32Array | undefined {
    return this.store.vector(id);
  }

  status(): LibraryStatus {
    const counts = this.store.counts();
    const dbFile = join(this.dir, 'library.db');
    const bytes = (file: string) => (existsSync(file) ? statSync(file).size : 0);
    return {
      images: counts.indexed,
      skipped: counts.skipped,
      model: this.model,
      dim: this.dim,
      root: this.root ?? null,
      dataDir: this.dataDir,
      libraryDir: this.dir,
      indexKind: this.indexConfig.kind,
      indexBytes: this.indexRef.fileBytes(),
      databaseBytes: bytes(dbFile) + bytes(`${dbFile}-wal`),
      skippedFiles: this.store.list('skipped').map((r) => ({ path: r.relPath, reason: r.reason ?? 'unknown' })),
    };
  }

  /** The model, loaded on first use. */
  runtime(): Promise<ModelRuntime> {
    this.runtimePromise ??= loadModelRuntime(this.model, this.provider, this.runtimeOptions).then((runtime) => {
      if (runtime.info.dim !== this.dim) {
        throw new Error(`model ${this.model} makes ${runtime.info.dim}-d vectors but this library holds ${this.dim}-d ones`);
      }
      return runtime;
    });
    return this.runtimePromise;
  }

  /** Information about the loaded model. */
  async encoderInfo(): Promise<EncoderInfo> {
    return (await this.runtime()).info;
  }

  /** Adds or replaces vectors in the index after their rows were committed. */
  indexVectors(entries: { id: number; vector: Float32Array }[]): void {
    for (const { id, vector } of entries) this.indexRef.upsert(id, vector);
    if (entries.length) this.dirty = true;
  }

  /** Removes ids from the index after their rows were committed as deleted or skipped. */
  unindex(ids: number[]): void {
    for (const id of ids) {
      if (this.indexRef.has(id)) {
        this.indexRef.remove(id);
        this.dirty = true;
      }
    }
  }

  /**
   * Saves the index, then records the last vector write it holds. Written in that order, a crash in
   * between only makes the next reconcile redo some work.
   */
  saveIndex(): void {
    const seq = this.store.vectorSeq;
    this.indexRef.save();
    this.store.setMeta('index_seq', String(seq));
    this.dirty = false;
  }

  /**
   * Brings the index in line with the database: drops ids no longer indexed, adds or replaces vectors
   * written since the index was last saved, and rebuilds it from the database if counts still differ.
   * Saves it when something changed and no other process is writing the library.
   */
  reconcile(): void {
    const indexed = new Set(this.store.indexedIds());
    const stale = [...this.indexRef.ids()].filter((id) => !indexed.has(id));
    this.unindex(stale);
    const savedSeq = Number(this.store.getMeta('index_seq') ?? 0);
    for (const entry of this.store.vectorsWrittenAfter(savedSeq)) this.indexVectors([entry]);
    const incomplete = this.indexRef.size !== indexed.size || [...indexed].some((id) => !this.indexRef.has(id));
    // A complete index may still hold a changed vector (a damaged or tampered file): compare a sample.
    const differs = incomplete ? undefined : findIndexMismatch(this.indexRef, [...indexed], (id) => this.store.vector(id), this.indexConfig.verifySample);
    if (differs !== undefined) log.warn(`${this.indexFile}: the vector of image ${differs} differs from library.db; rebuilding the index from the database`);
    if (incomplete || differs !== undefined) {
      this.indexRef = createIndex(this.indexFile, this.dim, this.indexConfig);
      for (const entry of this.store.vectorsWrittenAfter(0)) this.indexRef.upsert(entry.id, entry.vector);
      this.dirty = true;
    }
    if (this.dirty && lockHolder(this.lockFile) === undefined) this.saveIndex();
  }

  async close(): Promise<void> {
    if (this.dirty && lockHolder(this.lockFile) === undefined) this.saveIndex();
    const runtime = this.runtimePromise;
    this.runtimePromise = undefined;
    this.db.close();
    if (runtime) await (await runtime.catch(() => undefined))?.dispose();
  }
}
