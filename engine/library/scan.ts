// Walks a folder for image files: recursive, follows symlinks whose target lies inside the scanned
// folder (a link leading out of it is reported, never followed), detects loops through a set of real
// paths, and reports what it cannot read instead of stopping.
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { isInside } from './image-file.ts';

export interface ScannedFile {
  /** Relative to the scanned root, forward slashes. */
  relPath: string;
  absPath: string;
  size: number;
  mtimeMs: number;
}

export interface ScanProblem {
  relPath: string;
  reason: string;
  /** True for a file that looks like an image (it gets a skipped record); false for a folder. */
  isImage: boolean;
}

export interface ScanResult {
  files: ScannedFile[];
  problems: ScanProblem[];
}

function describe(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'dangling symlink or file removed during the scan';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'symlink loop';
  return err instanceof Error ? err.message : String(err);
}

export async function scanFolder(root: string, extensions: readonly string[]): Promise<ScanResult> {
  const wanted = new Set(extensions.map((e) => e.toLowerCase()));
  const isImageName = (name: string) => wanted.has(extname(name).toLowerCase());
  const files: ScannedFile[] = [];
  const problems: ScanProblem[] = [];
  const visited = new Set<string>();
  const outside = 'symlink leads outside the library folder (not followed)';
  let realRoot = '';

  async function walk(dir: string, rel: string): Promise<void> {
    let real: string;
    let entries: Dirent[];
    try {
      real = await realpath(dir);
      if (rel && !isInside(realRoot, real)) {
        problems.push({ relPath: rel, reason: outside, isImage: false });
        return;
      }
      if (visited.has(real)) {
        problems.push({ relPath: rel || '.', reason: 'symlink loop (folder already visited)', isImage: false });
        return;
      }
      visited.add(real);
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      problems.push({ relPath: rel || '.', reason: describe(err), isImage: false });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      // Hidden entries (.git, .DS_Store, editor files) are never images of the collection.
      if (entry.name.startsWith('.')) continue;
      const abs = join(dir, entry.name);
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        await walk(abs, relPath);
        continue;
      }
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      try {
        if (entry.isSymbolicLink() && !isInside(realRoot, await realpath(abs))) {
          problems.push({ relPath, reason: outside, isImage: isImageName(entry.name) });
          continue;
        }
        const info = await stat(abs);
        if (info.isDirectory()) await walk(abs, relPath);
        else if (info.isFile() && isImageName(entry.name)) files.push({ relPath, absPath: abs, size: info.size, mtimeMs: info.mtimeMs });
      } catch (err) {
        if (isImageName(entry.name)) problems.push({ relPath, reason: describe(err), isImage: true });
        else if (!(err as NodeJS.ErrnoException).code?.startsWith('ENOENT')) problems.push({ relPath, reason: describe(err), isImage: false });
      }
    }
  }

  try {
    realRoot = await realpath(root);
  } catch (err) {
    problems.push({ relPath: '.', reason: describe(err), isImage: false });
    return { files, problems };
  }
  await walk(root, '');
  return { files, problems };
}
