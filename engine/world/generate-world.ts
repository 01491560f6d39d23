// Renders a split of the synthetic world to a folder: PNG scenes plus captions.json in the Karpathy
// layout, extended with each scene's objects (tight boxes and attributes) and background.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { captionScene } from './captions.ts';
import { hashString, mixSeed, Prng } from './prng.ts';
import { renderScene } from './rasterise.ts';
import { sampleScene, sceneSize } from './scene.ts';
import type { Background, Colour, Pattern, Shape, Size } from './vocabulary.ts';

export type WorldSplit = 'train' | 'val' | 'test';

export interface WorldObject {
  /** [x, y, w, h] in pixels, tight around the object's visible pixels. */
  box: [number, number, number, number];
  shape: Shape;
  colour: Colour;
  size: Size;
  pattern: Pattern;
}

export interface WorldImage {
  filename: string;
  imgid: number;
  split: WorldSplit;
  sentids: number[];
  sentences: { raw: string; tokens: string[]; imgid: number; sentid: number }[];
  background: Background;
  objects: WorldObject[];
}

export interface WorldCaptions {
  dataset: string;
  seed: number;
  images: WorldImage[];
}

export interface WorldOptions {
  seed: number;
  count: number;
  split: WorldSplit;
  outDir: string;
}

/** The seed of one scene: scenes are independent, so any scene can be re-rendered alone. */
export function sceneSeed(seed: number, split: WorldSplit, index: number): number {
  return mixSeed(seed, hashString(split), index);
}

/** One scene with its captions and annotations, and its PNG bytes. */
export async function renderWorldImage(seed: number, split: WorldSplit, index: number): Promise<{ entry: WorldImage; png: Buffer }> {
  const rng = new Prng(sceneSeed(seed, split, index));
  const scene = sampleScene(rng);
  const { image, boxes } = renderScene(scene);
  const captions = captionScene(rng, scene);
  const png = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: sceneSize, height: sceneSize, channels: 3 },
  })
    .png({ compressionLevel: 6 })
    .toBuffer();
  const entry: WorldImage = {
    filename: `${split}-${String(index).padStart(6, '0')}.png`,
    imgid: index,
    split,
    sentids: captions.map((_, k) => index * 5 + k),
    sentences: captions.map((raw, k) => ({ raw, tokens: raw.split(' '), imgid: index, sentid: index * 5 + k })),
    background: scene.background,
    objects: scene.objects.map((o, k) => ({
      box: [boxes[k].x, boxes[k].y, boxes[k].w, boxes[k].h],
      shape: o.shape,
      colour: o.colour,
      size: o.size,
      pattern: o.pattern,
    })),
  };
  return { entry, png };
}

async function writeAtomic(file: string, data: string | Buffer): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, data);
  await rename(temp, file);
}

/** Writes `count` scenes and captions.json into outDir; returns the captions document. */
export async function generateWorld(options: WorldOptions, onProgress?: (done: number) => void): Promise<WorldCaptions> {
  await mkdir(options.outDir, { recursive: true });
  const images: WorldImage[] = new Array(options.count);
  const workers = 4;
  let next = 0;
  let done = 0;
  const work = async () => {
    while (next < options.count) {
      const index = next++;
      const { entry, png } = await renderWorldImage(options.seed, options.split, index);
      await writeAtomic(join(options.outDir, entry.filename), png);
      images[index] = entry;
      done++;
      if (onProgress && done % 1000 === 0) onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: workers }, work));
  const captions: WorldCaptions = { dataset: 'visualref-world', seed: options.seed, images };
  await writeAtomic(join(options.outDir, 'captions.json'), JSON.stringify(captions));
  return captions;
}
