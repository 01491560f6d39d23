// Rebuilds a library's region store from its images while a server keeps answering (after a damaged
// store was moved aside): a region pass under the library's write lock, so it never races an index
// run; when one is running, that run makes the regions itself.
import type { Library } from '../library/library.ts';
import { acquireWriteLock } from '../library/write-lock.ts';
import { log } from '../log.ts';
import { indexLibraryRegions } from './library-regions.ts';

export async function rebuildRegionsInBackground(library: Library, signal: AbortSignal): Promise<void> {
  let release: () => void;
  try {
    release = acquireWriteLock(library.lockFile);
  } catch (err) {
    log.warn(`regions: not rebuilding now (${err instanceof Error ? err.message : String(err)}); that run rebuilds them`);
    return;
  }
  try {
    const report = await indexLibraryRegions(library, { signal });
    log.info(`regions: rebuilt for ${report.added} images`);
  } catch (err) {
    log.warn(`regions: rebuilding failed (${err instanceof Error ? err.message : String(err)}); run \`visualref index\` to make them`);
  } finally {
    release();
  }
}
