// One index run as users start it: the images (global vectors), then, when configs/regions.yaml
// enables it, the region store that region-against-region feedback matches marks against.
import type { Library } from './library.ts';
import { indexFolder, type IndexProgress, type IndexReport } from './indexer.ts';
import { indexLibraryRegions, type LibraryRegionsReport } from '../regions/library-regions.ts';
import { loadRegionsConfig, type RegionsConfig } from '../regions/config.ts';
import { openIndexPassRegions } from '../regions/index-pass-regions.ts';

export interface BuildLibraryOptions {
  folder: string;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (progress: IndexProgress) => void;
  onRegionProgress?: (done: number, total: number) => void;
  /** Build the region store (default: configs/regions.yaml `enabled`). */
  regions?: boolean;
  /** Region settings (default: configs/regions.yaml). */
  regionsConfig?: RegionsConfig;
}

export interface BuildLibraryReport {
  images: IndexReport;
  /** Absent when regions are disabled, or when the image run was interrupted. */
  regions?: LibraryRegionsReport;
}

export async function buildLibrary(library: Library, options: BuildLibraryOptions): Promise<BuildLibraryReport> {
  const config = options.regionsConfig ?? loadRegionsConfig();
  if (!(options.regions ?? config.enabled)) return { images: await indexFolder(library, options) };
  // New images get their regions batch by batch, from the image pass's own encoder run.
  let total = 0;
  const inline = await openIndexPassRegions(library, config, (done) => options.onRegionProgress?.(done, total));
  let images: IndexReport;
  try {
    const onProgress = (progress: IndexProgress) => {
      total = progress.indexed + progress.total - progress.done;
      options.onProgress?.(progress);
    };
    images = await indexFolder(library, { ...options, onProgress, onIndexed: inline.onIndexed });
  } finally {
    inline.close();
  }
  if (images.aborted) return { images };
  // Then any image still without regions (an interrupted earlier run), and those no longer indexed.
  const started = performance.now();
  const rest = await indexLibraryRegions(library, { config, signal: options.signal, onProgress: options.onRegionProgress });
  const s = inline.stats;
  const added = s.images + rest.added;
  const perImage = (inlineMs: number, restMsPerImage: number) => (added ? (inlineMs + restMsPerImage * rest.added) / added : 0);
  const regions: LibraryRegionsReport = {
    ...rest,
    added,
    regions: s.regions + rest.regions,
    proposeMsPerImage: perImage(s.proposeMs, rest.proposeMsPerImage),
    encodeMsPerImage: perImage(s.encodeMs, rest.encodeMsPerImage),
    seconds: (s.ms + performance.now() - started) / 1000,
  };
  return { images, regions };
}
