// The embedded backend: the SQLite + HNSW library of one data folder (library.ts), unchanged, seen
// through the LibraryBackend interface.
import type { Box, EncoderInfo, RgbImage, SearchHit } from '../types.ts';
import type { ImageRecord, ImageStatus } from '../store/image-store.ts';
import { indexFolder, type IndexReport, type IndexRunOptions } from './indexer.ts';
import type { ImageSource, Library } from './library.ts';
import type { BackendStatus, LibraryBackend } from './library-backend.ts';
import type { ModelRuntime } from './model-runtime.ts';

export class EmbeddedBackend implements LibraryBackend {
  readonly kind = 'embedded' as const;

  constructor(readonly library: Library) {}

  get model(): string {
    return this.library.model;
  }

  get dim(): number {
    return this.library.dim;
  }

  indexFolder(options: IndexRunOptions): Promise<IndexReport> {
    return indexFolder(this.library, options);
  }

  async getImage(id: number): Promise<ImageRecord | undefined> {
    return this.library.getImage(id);
  }

  async listImages(status?: ImageStatus | 'all'): Promise<ImageRecord[]> {
    return this.library.listImages(status);
  }

  async vector(id: number): Promise<Float32Array | undefined> {
    return this.library.vector(id);
  }

  async vectors(ids: readonly number[]): Promise<Map<number, Float32Array>> {
    const found = new Map<number, Float32Array>();
    for (const id of ids) {
      const vector = this.library.vector(id);
      if (vector) found.set(id, vector);
    }
    return found;
  }

  async search(vector: Float32Array, k: number, options?: { exclude?: Set<number> }): Promise<SearchHit[]> {
    return this.library.search(vector, k, options);
  }

  async imagePath(id: number): Promise<string> {
    return this.library.imagePath(id);
  }

  loadImage(id: number): Promise<RgbImage> {
    return this.library.loadImage(id);
  }

  encodeText(text: string): Promise<Float32Array> {
    return this.library.encodeText(text);
  }

  encodeImage(source: ImageSource, box?: Box): Promise<Float32Array> {
    return this.library.encodeImage(source, box);
  }

  runtime(): Promise<ModelRuntime> {
    return this.library.runtime();
  }

  encoderInfo(): Promise<EncoderInfo> {
    return this.library.encoderInfo();
  }

  async status(): Promise<BackendStatus> {
    const s = this.library.status();
    return { backend: 'embedded', images: s.images, skipped: s.skipped, model: s.model, dim: s.dim, root: s.root, location: s.libraryDir };
  }

  async refresh(): Promise<void> {
    this.library.reconcile();
  }

  close(): Promise<void> {
    return this.library.close();
  }
}
