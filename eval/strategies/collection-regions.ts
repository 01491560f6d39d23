// The regions of an evaluation collection, built by the product's own region indexer (proposers and
// crop encoding only: ground-truth boxes never enter it) into a cache file per collection, model
// (weights) and region settings, so that later runs and other strategies reuse it; an interrupted build resumes.
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeImage } from '../../engine/images/decode.ts';
import { log } from '../../engine/log.ts';
import type { RegionsConfig } from '../../engine/regions/config.ts';
import { RegionIndexer, regionEncoderOf } from '../../engine/regions/region-indexer.ts';
import type { RegionMatrix } from '../../engine/regions/region-store.ts';
import type { EvalCollection } from '../collection.ts';

export interface CollectionRegions {
  regionsOf(id: number): RegionMatrix | undefined;
  /** Mean regions per image and the build cost of the images built in this run. */
  regionsPerImage: number;
  builtImages: number;
  proposeMsPerImage: number;
  encodeMsPerImage: number;
}

const built = new Map<string, Promise<CollectionRegions>>();
const BATCH = 16;

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** One cache file per collection, model and region settings, so that variants do not evict each other. */
export function collectionRegionsFile(collection: EvalCollection, config: RegionsConfig): string {
  const root = process.env.VISUALREF_CACHE ?? join(tmpdir(), 'visualref-cache');
  const settings = { source: config.source, embed: config.embed, windows: config.windows, proposer: config.proposer, tokens: config.tokens, dtype: config.store.dtype };
  const digest = createHash('sha1').update(JSON.stringify(settings)).digest('hex').slice(0, 8);
  // Splits of one dataset share its name and a retrained model keeps its name: the image files and
  // the model's embeddings of them tell collections apart.
  const images = createHash('sha1')
    .update(collection.dataset.images.map((i) => i.path).join('\n'))
    .update(new Uint8Array(collection.matrix.buffer, collection.matrix.byteOffset, collection.matrix.byteLength))
    .digest('hex')
    .slice(0, 8);
  return join(root, 'regions', `${slug(collection.dataset.name)}-${images}-${slug(collection.model)}`, `${config.source}-${digest}.bin`);
}

async function build(collection: EvalCollection, config: RegionsConfig): Promise<CollectionRegions> {
  const file = collectionRegionsFile(collection, config);
  mkdirSync(join(file, '..'), { recursive: true });
  const indexer = await RegionIndexer.open(join(file, '..'), regionEncoderOf(collection.image), config, file);
  const images = collection.dataset.images;
  const missing = indexer.missing(images.map((i) => i.index));
  let proposeMs = 0;
  let encodeMs = 0;
  for (let start = 0; start < missing.length; start += BATCH) {
    const ids = missing.slice(start, start + BATCH);
    const decoded = await Promise.all(ids.map(async (id) => ({ id, image: await decodeImage(images[id].path) })));
    const stats = await indexer.add(decoded);
    proposeMs += stats.proposeMs;
    encodeMs += stats.encodeMs;
    if ((start / BATCH) % 16 === 15 || start + BATCH >= missing.length) log.info(`eval: ${config.source} regions of ${Math.min(start + BATCH, missing.length)}/${missing.length} images`);
  }
  const matrices = new Map<number, RegionMatrix>();
  let total = 0;
  for (const image of images) {
    const m = indexer.store.getMatrix(image.index);
    if (m) {
      matrices.set(image.index, m);
      total += m.count;
    }
  }
  indexer.close();
  return {
    regionsOf: (id) => matrices.get(id),
    regionsPerImage: total / images.length,
    builtImages: missing.length,
    proposeMsPerImage: missing.length ? proposeMs / missing.length : 0,
    encodeMsPerImage: missing.length ? encodeMs / missing.length : 0,
  };
}

/** The collection's regions for `config.source` (built once per process and cached on disk). */
export function collectionRegions(collection: EvalCollection, config: RegionsConfig): Promise<CollectionRegions> {
  const key = collectionRegionsFile(collection, config);
  let entry = built.get(key);
  if (!entry) {
    entry = build(collection, config);
    built.set(key, entry);
  }
  return entry;
}
