// The one way a library image file is read after indexing (originals served over HTTP, thumbnails,
// MCP image:// resources, re-decoding for regions and crops). The file is only read when its real
// path is still inside the library root, it is a regular file, and its size and mtime are those the
// index recorded; anything else (a symlink swapped in, a FIFO, an edited file) is "changed", never read.
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import { resolveUnderRoot } from './paths.ts';

/** What the index recorded about a file. */
export interface RecordedFile {
  id: number;
  relPath: string;
  size: number;
  mtimeMs: number;
}

export class ImageFileChangedError extends Error {
  override name = 'ImageFileChangedError';
  constructor(
    readonly id: number,
    readonly relPath: string,
    readonly why: string,
  ) {
    super(`image ${id} (${relPath}) ${why}`);
  }
}

/** True when `path` is `root` itself or lies under it (both real paths). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The bytes of a recorded library file, after the checks above. Throws ImageFileChangedError. */
export async function readRecordedFile(root: string, record: RecordedFile): Promise<Buffer> {
  const changed = (why: string) => new ImageFileChangedError(record.id, record.relPath, `${why} since it was indexed; run \`visualref index\` again`);
  let path: string;
  try {
    path = resolveUnderRoot(root, record.relPath);
  } catch (err) {
    // Only a tampered database holds such a path.
    throw new ImageFileChangedError(record.id, record.relPath, err instanceof Error ? err.message : String(err));
  }
  let real: string;
  let realRoot: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(path);
  } catch {
    throw changed('is missing');
  }
  if (!isInside(realRoot, real)) throw changed('now leads outside the library folder');
  // O_NOFOLLOW: a symlink put in place of the checked real path between realpath and open fails the
  // open; O_NONBLOCK: a FIFO put there cannot block the open.
  let handle;
  try {
    handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    throw changed('was replaced or cannot be read');
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw changed('is no longer a regular file');
    if (info.size !== record.size || info.mtimeMs !== record.mtimeMs) throw changed('was modified');
    const bytes = await handle.readFile();
    if (bytes.length !== record.size) throw changed('was modified');
    return bytes;
  } finally {
    await handle.close();
  }
}
