// Inputs shared by the encoder benchmarks: the image folder (Flickr8k photographs when the shared
// data is there, generated JPEGs otherwise) and the full-size random-weight CLIP models.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { repoRoot } from '../engine/config/load-config.ts';
import { onnxFile, type ModelDtype } from '../engine/encoders/model-folder.ts';

export const flickrImages = join(repoRoot, '..', 'shared', 'data', 'flickr8k-1k', 'images');

/** The JPEG files of a folder, sorted, as absolute paths. */
export function listImages(folder: string): string[] {
  return readdirSync(folder)
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort()
    .map((f) => join(folder, f));
}

/** Fills `folder` with the first `limit` Flickr8k photographs, or with generated 500×375 JPEGs. */
export async function benchImageFolder(folder: string, limit: number): Promise<{ folder: string; source: string }> {
  mkdirSync(folder, { recursive: true });
  if (existsSync(flickrImages)) {
    const files = listImages(flickrImages).slice(0, limit);
    for (const file of files) copyFileSync(file, join(folder, file.slice(flickrImages.length + 1)));
    return { folder, source: `flickr8k-1k (${files.length} photographs)` };
  }
  for (let i = 0; i < limit; i++) {
    const noise = Buffer.alloc(500 * 375 * 3);
    for (let p = 0; p < noise.length; p++) noise[p] = (p * (i + 7) + (p >> 9) * 31) & 255;
    await sharp(noise, { raw: { width: 500, height: 375, channels: 3 } })
      .jpeg({ quality: 85 })
      .toFile(join(folder, `gen${String(i).padStart(4, '0')}.jpg`));
  }
  return { folder, source: `generated 500×375 JPEGs (${limit})` };
}

export type ModelShape = 'b32' | 'l14';

/**
 * A full-size random-weight CLIP of the given shape: `explicit` when given, else
 * ~/.cache/visualref-bench/clip-vit-<shape>, built once with its fp16 and int8 variants
 * (training/build-test-models.sh; minutes of CPU). Throws when a needed variant is missing.
 */
export function benchModelFolder(explicit: string | undefined, shape: ModelShape, dtypes: readonly ModelDtype[]): string {
  const folder = explicit ?? join(homedir(), '.cache', 'visualref-bench', `clip-vit-${shape}`);
  if (!explicit && !existsSync(join(folder, 'config.json'))) {
    console.error(`building a random ViT-${shape.toUpperCase()} CLIP into ${folder} (once)…`);
    const temp = `${folder}.tmp`;
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(join(folder, '..'), { recursive: true });
    execFileSync('bash', [join(repoRoot, 'training', 'build-test-models.sh'), '--full', shape, '--out', temp, '--variants', 'fp16,q8'], { stdio: 'inherit' });
    renameSync(temp, folder);
  }
  for (const dtype of dtypes) onnxFile(folder, 'vision', dtype); // throws naming a missing variant
  return folder;
}
