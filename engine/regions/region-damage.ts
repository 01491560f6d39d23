// The ways a region store file can be damaged, as errors its callers tell apart: a header that is not
// a region store's (the whole file is moved aside and rebuilt) and a record whose checksum fails (that
// image's regions are ignored until the next index run extracts them again).
import { renameSync } from 'node:fs';
import { log } from '../log.ts';

export class RegionStoreHeaderError extends Error {
  override name = 'RegionStoreHeaderError';
  constructor(readonly file: string) {
    super(`${file} is not a visualref region store (damaged header)`);
  }
}

export class RegionRecordDamagedError extends Error {
  override name = 'RegionRecordDamagedError';
  constructor(
    readonly file: string,
    readonly imageId: number,
    offset: number,
  ) {
    super(`region store ${file}: record of image ${imageId} at byte ${offset} is corrupt (CRC mismatch)`);
  }
}

/** Renames a damaged store to `<file>.damaged-<time>` (kept for inspection) with one warning; returns the new name. */
export function moveDamagedStoreAside(file: string, err: RegionStoreHeaderError): string {
  const aside = `${file}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  renameSync(file, aside);
  log.warn(`${err.message}: moved it to ${aside}; the regions are being rebuilt`);
  return aside;
}
