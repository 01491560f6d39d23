// What the library needs of a vector index beyond the engine's VectorIndex: the ids it holds, so that
// it can be reconciled with the database (the source of truth) after a crash.
import type { VectorIndex } from '../types.ts';

export interface PersistentIndex extends VectorIndex {
  readonly kind: 'hnsw' | 'flat';
  readonly file: string;
  /** Ids of the vectors currently searchable. */
  ids(): IterableIterator<number>;
  /** Bytes of the saved file (0 before the first save). */
  fileBytes(): number;
}
