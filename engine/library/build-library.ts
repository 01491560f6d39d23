// One index run as users start it: the images (global vectors), then, when configs/regions.yaml
// enables it, the region store that region-against-region feedback matches marks against.
import type { Library } from './library.ts';
import { indexFolder, type IndexProgress, type IndexReport } from './indexer.ts';
import { indexLibraryRegions, type LibraryRegionsReport } from '../regions/library-regions.ts';
import { loadRegionsConfig } from '../regions/config.ts';

export interface BuildLibraryOptions {
  folder: string;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (progress: IndexProgress) => void;
  onRegionProgress?: (done: number, total: number) => void;
}

export interface BuildLibraryReport {
  images: IndexReport;
  /** Absent when regions are disabled, or when the image run was interrupted. */
  regions?: LibraryRegionsReport;
}

export async function buildLibrary(library: Library, options: BuildLibraryOptions): Promise<BuildLibraryReport> {
  const images = await indexFolder(library, options);
  const config = loadRegionsConfig();
  if (!config.enabled || images.aborted) return { images };
  const regions = await indexLibraryRegions(library, { config, signal: options.signal, onProgress: options.onRegionProgress });
  return { images, regions };
}
