// Brings a library's region store in line with its images: regions are made for every indexed image
// that has none (or has regions of an older version of its file), and dropped for images the library
// no longer holds. Run after each index run (and safe to run any time): an index run killed between
// its own commit and the regions' is finished here, and a killed region pass resumes where it stopped,
// because each batch is committed to regions.bin on its own.
import { join } from 'node:path';
import type { Library } from '../library/library.ts';
import { log } from '../log.ts';
import { loadRegionsConfig, type RegionsConfig } from './config.ts';
import { RegionIndexer, regionsFileName } from './region-indexer.ts';
import type { RegionSearchSources } from './region-search.ts';
import { RegionStore } from './region-store.ts';
import { moveDamagedStoreAside, RegionStoreHeaderError } from './region-damage.ts';

export interface LibraryRegionsReport {
  added: number;
  removed: number;
  regions: number;
  proposeMsPerImage: number;
  encodeMsPerImage: number;
  /** Size of regions.bin per image with regions. */
  bytesPerImage: number;
  /** Wall time of the region work (decoding for the proposer, proposing, embedding, storing). */
  seconds: number;
}

/** The u32 version tag of an image: the first 8 hex digits of its content hash. */
export function contentTag(hash: string | null): number {
  return hash ? Number.parseInt(hash.slice(0, 8), 16) >>> 0 : 0;
}

export async function indexLibraryRegions(
  library: Library,
  options: { config?: RegionsConfig; batchSize?: number; signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {},
): Promise<LibraryRegionsReport> {
  const started = performance.now();
  const config = options.config ?? loadRegionsConfig();
  const batchSize = options.batchSize ?? 16;
  const runtime = await library.runtime();
  const indexer = await RegionIndexer.open(library.dir, runtime, config);
  try {
    const records = library.listImages('indexed');
    const live = new Set(records.map((r) => r.id));
    const gone = indexer.store.ids().filter((id) => !live.has(id));
    indexer.remove(gone);
    const damaged = new Set(indexer.store.damagedIds());
    if (damaged.size) log.warn(`regions: ${damaged.size} damaged record(s) in ${indexer.store.file} (image ${[...damaged].slice(0, 10).join(', ')}); extracting them again`);
    const todo = records.filter((r) => damaged.has(r.id) || indexer.store.tagOf(r.id) !== contentTag(r.hash));
    const report: LibraryRegionsReport = { added: 0, removed: gone.length, regions: 0, proposeMsPerImage: 0, encodeMsPerImage: 0, bytesPerImage: 0, seconds: 0 };
    let proposeMs = 0;
    let encodeMs = 0;
    for (let start = 0; start < todo.length && !options.signal?.aborted; start += batchSize) {
      const batch = todo.slice(start, start + batchSize);
      const items = [];
      for (const record of batch) {
        try {
          items.push({ id: record.id, tag: contentTag(record.hash), image: await library.loadImage(record.id) });
        } catch (err) {
          // The file changed or vanished since indexing; the next index run deals with it.
          log.warn(`regions: skipping ${record.relPath}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      const stats = await indexer.add(items);
      report.added += stats.images;
      report.regions += stats.regions;
      proposeMs += stats.proposeMs;
      encodeMs += stats.encodeMs;
      options.onProgress?.(Math.min(start + batchSize, todo.length), todo.length);
    }
    if (report.added) {
      report.proposeMsPerImage = proposeMs / report.added;
      report.encodeMsPerImage = encodeMs / report.added;
    }
    if (indexer.store.garbageRatio > 0.5) indexer.store.compact();
    report.bytesPerImage = indexer.store.size ? (indexer.store.fileBytes - 64) / indexer.store.size : 0;
    report.seconds = (performance.now() - started) / 1000;
    return report;
  } finally {
    indexer.close();
  }
}

/**
 * The library's region store opened read-only for searching, or undefined when it has none (yet).
 * A store with a damaged header is moved aside and `onDamaged` called (to rebuild it); until then
 * region feedback scores whole images.
 */
export function openLibraryRegions(library: Library, onDamaged?: () => void): RegionStore | undefined {
  const file = join(library.dir, regionsFileName);
  let settings: ReturnType<typeof RegionStore.readSettings>;
  try {
    settings = RegionStore.readSettings(file);
  } catch (err) {
    if (!(err instanceof RegionStoreHeaderError)) throw err;
    moveDamagedStoreAside(file, err);
    onDamaged?.();
    return undefined;
  }
  if (!settings) return undefined;
  if (settings.dim !== library.dim) {
    log.warn(`regions: ${file} holds ${settings.dim}-d regions but the library ${library.dim}-d vectors; ignoring it until the next index run`);
    return undefined;
  }
  return RegionStore.open(file, { ...settings, readonly: true });
}

/** The whole-image vector and size of a library image: its one region when it has no stored ones. */
export function wholeImageOf(library: Library): (id: number) => { vector: Float32Array; width: number; height: number } | undefined {
  return (id) => {
    const vector = library.vector(id);
    const record = library.getImage(id);
    return vector && record?.width && record.height ? { vector, width: record.width, height: record.height } : undefined;
  };
}

/** What searchWithRegions needs, from a library and its region store. */
export function librarySearchSources(library: Library, store: RegionStore | undefined): RegionSearchSources {
  return {
    search: (vector, k) => library.search(vector, k),
    regionsOf: (id) => store?.getMatrix(id),
    fallbackOf: wholeImageOf(library),
  };
}
