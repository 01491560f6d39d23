// Renders a split of the synthetic world to a folder: PNG scenes plus captions.json in the Karpathy
// layout, extended with each scene's objects (tight boxes and attributes) and background.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { startTsWorker } from '../workers/ts-worker.ts';
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
  /** Rendering threads; 0 renders on the calling thread. Default: one per core for large worlds. */
  workers?: number;
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

/** Renders one scene into outDir (atomically) and returns its annotations. */
export async function writeWorldImage(outDir: string, seed: number, split: WorldSplit, index: number): Promise<WorldImage> {
  const { entry, png } = await renderWorldImage(seed, split, index);
  await writeAtomic(join(outDir, entry.filename), png);
  return entry;
}

export type RenderReply = { index: number; entry: WorldImage } | { index: number; error: string };

/** Scenes at a time per worker: one rasterising while the previous one's PNG is encoded. */
const inFlightPerWorker = 2;

/** Rasterising is plain JavaScript: worker threads put every core to work on a large world. */
async function renderInWorkers(options: WorldOptions, workers: number, done: (index: number, entry: WorldImage) => void): Promise<void> {
  const pool = Array.from({ length: workers }, () =>
    startTsWorker(new URL('./render-worker.ts', import.meta.url), { seed: options.seed, split: options.split, outDir: options.outDir }),
  );
  let next = 0;
  try {
    await Promise.all(
      pool.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            let inFlight = 0;
            const feed = () => {
              while (inFlight < inFlightPerWorker && next < options.count) {
                worker.postMessage(next++);
                inFlight++;
              }
              if (inFlight === 0) resolve();
            };
            worker.on('message', (reply: RenderReply) => {
              inFlight--;
              if ('error' in reply) return reject(new Error(`scene ${reply.index} of the world: ${reply.error}`));
              done(reply.index, reply.entry);
              feed();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => reject(new Error(`a world rendering thread stopped (exit code ${code})`)));
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

async function renderInline(options: WorldOptions, done: (index: number, entry: WorldImage) => void): Promise<void> {
  let next = 0;
  const work = async () => {
    while (next < options.count) {
      const index = next++;
      done(index, await writeWorldImage(options.outDir, options.seed, options.split, index));
    }
  };
  // A few scenes in flight so that PNG encoding (libuv threads) overlaps with rasterising.
  await Promise.all(Array.from({ length: 4 }, work));
}

/** Worlds this large are rendered in worker threads (starting them costs about a second). */
const workerThreshold = 500;

/** Writes `count` scenes and captions.json into outDir; returns the captions document. */
export async function generateWorld(options: WorldOptions, onProgress?: (done: number) => void): Promise<WorldCaptions> {
  await mkdir(options.outDir, { recursive: true });
  const images: WorldImage[] = new Array(options.count);
  let done = 0;
  const record = (index: number, entry: WorldImage) => {
    images[index] = entry;
    done++;
    if (onProgress && done % 1000 === 0) onProgress(done);
  };
  const workers = options.workers ?? (options.count >= workerThreshold ? availableParallelism() : 0);
  if (workers > 0) await renderInWorkers(options, workers, record);
  else await renderInline(options, record);
  const captions: WorldCaptions = { dataset: 'visualref-world', seed: options.seed, images };
  await writeAtomic(join(options.outDir, 'captions.json'), JSON.stringify(captions));
  return captions;
}
