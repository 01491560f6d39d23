// The library as the tools and faces use it, whatever keeps it: the embedded backend (SQLite + an
// HNSW file in a data folder, engine/library/library.ts) or the postgres backend (pgvector, shared by
// any number of processes, engine/library/postgres/). Everything that touches storage is async, so a
// backend may sit behind a network connection.
import type { Box, EncoderInfo, RgbImage, SearchHit } from '../types.ts';
import type { ImageRecord, ImageStatus } from '../store/image-store.ts';
import type { IndexReport, IndexRunOptions } from './indexer.ts';
import type { ImageSource } from './library.ts';
import type { ModelRuntime } from './model-runtime.ts';

export type BackendKind = 'embedded' | 'postgres';

export interface BackendStatus {
  backend: BackendKind;
  images: number;
  skipped: number;
  model: string;
  dim: number;
  root: string | null;
  /** The data folder, or the database URL with its password hidden. */
  location: string;
}

export interface LibraryBackend {
  readonly kind: BackendKind;
  readonly model: string;
  readonly dim: number;
  /** Indexes a folder: incremental, resumable after a kill, nothing duplicated. */
  indexFolder(options: IndexRunOptions): Promise<IndexReport>;
  getImage(id: number): Promise<ImageRecord | undefined>;
  /** Images in id order (indexed ones unless another status is asked for). */
  listImages(status?: ImageStatus | 'all'): Promise<ImageRecord[]>;
  /** The stored (normalised) vector of image `id`. */
  vector(id: number): Promise<Float32Array | undefined>;
  /** The stored vectors of `ids` in one look-up; unknown ids are left out. */
  vectors(ids: readonly number[]): Promise<Map<number, Float32Array>>;
  /** The `k` nearest images to `vector` by cosine similarity, best first, leaving out `exclude`. */
  search(vector: Float32Array, k: number, options?: { exclude?: Set<number> }): Promise<SearchHit[]>;
  /** The file of image `id`, resolved under the root; unknown ids and escaping paths are refused. */
  imagePath(id: number): Promise<string>;
  loadImage(id: number): Promise<RgbImage>;
  encodeText(text: string): Promise<Float32Array>;
  /** Encodes an image (or the box of it, in its own pixels) into the library's space. */
  encodeImage(source: ImageSource, box?: Box): Promise<Float32Array>;
  runtime(): Promise<ModelRuntime>;
  encoderInfo(): Promise<EncoderInfo>;
  status(): Promise<BackendStatus>;
  /** Catches up with writes another process made (a re-index running beside a server). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}
