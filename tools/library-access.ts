// Library look-ups shared by the tools, with errors a caller can act on.
import type { ImageRecord } from '../engine/store/image-store.ts';
import type { Library } from '../engine/library/library.ts';
import type { ResultItem } from './contract/schemas.ts';
import { ToolError, unknownImage } from './errors.ts';
import { ImageFileChangedError } from '../engine/library/image-file.ts';
import type { RgbImage } from '../engine/types.ts';
import type { PreparedImage } from '../engine/regions/region-embedding.ts';

/** The record of an indexed image; unknown or skipped ids are a ToolError naming the id. */
export function requireImage(library: Library, id: number): ImageRecord & { width: number; height: number } {
  const record = library.getImage(id);
  if (!record || record.status !== 'indexed' || record.width === null || record.height === null) {
    throw unknownImage(id, library.store.counts().indexed);
  }
  return record as ImageRecord & { width: number; height: number };
}

/** What `read` gives of a library file; a file changed on disk since indexing is a ToolError saying so. */
async function readLibraryFile<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof ImageFileChangedError) throw new ToolError('unknown-image', err.message);
    throw err;
  }
}

/** The pixels of an indexed image. */
export function loadLibraryImage(library: Library, id: number): Promise<RgbImage> {
  return readLibraryFile(() => library.loadImage(id));
}

/** The model's input pixels of an indexed image with its original size (enough for token-pooled boxes). */
export function loadPreparedLibraryImage(library: Library, id: number): Promise<PreparedImage & { prepared: RgbImage }> {
  return readLibraryFile(() => library.loadPreparedImage(id));
}

/** Results as the tools return them: 1-based rank, the original image size, and optionally the previous rank. */
export function toResultItems(library: Library, hits: { id: number; score: number }[], previousRanks?: Map<number, number>): ResultItem[] {
  return hits.map((hit, i) => {
    const record = library.getImage(hit.id);
    const item: ResultItem = { id: hit.id, score: hit.score, rank: i + 1, width: record?.width ?? 0, height: record?.height ?? 0 };
    if (previousRanks) item.previousRank = previousRanks.get(hit.id) ?? null;
    return item;
  });
}
