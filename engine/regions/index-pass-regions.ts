// Regions made during the image pass: each committed batch of newly indexed images goes straight to
// the region store, its vectors pooled from the tokens of the same encoder pass (when the model has a
// per-token head; else its regions are embedded the configured way). Only the proposer and a decode
// for it, at the proposer's working size, are added per image (crops need the full image). Images it
// misses are made by indexLibraryRegions afterwards.
import { openImage, toRgbImage } from '../images/decode.ts';
import type { IndexedImage } from '../library/indexer.ts';
import type { Library } from '../library/library.ts';
import { log } from '../log.ts';
import type { RegionsConfig } from './config.ts';
import { contentTag } from './library-regions.ts';
import { RegionIndexer, type RegionImage } from './region-indexer.ts';

export interface RegionPassStats {
  images: number;
  regions: number;
  proposeMs: number;
  encodeMs: number;
  /** Wall time spent on regions (decoding for the proposer, proposing, pooling, storing). */
  ms: number;
}

export interface IndexPassRegions {
  onIndexed(images: IndexedImage[]): Promise<void>;
  readonly stats: RegionPassStats;
  close(): void;
}

export async function openIndexPassRegions(library: Library, config: RegionsConfig, onProgress?: (done: number) => void): Promise<IndexPassRegions> {
  const runtime = await library.runtime();
  const indexer = await RegionIndexer.open(library.dir, runtime, config);
  const stats: RegionPassStats = { images: 0, regions: 0, proposeMs: 0, encodeMs: 0, ms: 0 };
  const maxPixels = library.indexConfig.indexer.maxPixels;
  // Pooled tokens need no pixels beyond what the proposer and the cell grid resolve.
  const side = indexer.embed === 'tokens' ? Math.max(config.proposer.workSide, runtime.preprocess.cropWidth, runtime.preprocess.cropHeight) : undefined;
  // The cells source reads only the tokens: the image's size is all it needs of the file.
  const sizeOnly = config.source === 'cells' && indexer.embed === 'tokens';
  const decode = async (bytes: Buffer) => {
    if (sizeOnly) {
      const { width, height } = await runtime.imageSize(bytes, { maxPixels });
      return { image: { data: new Uint8Array(0), width, height } };
    }
    if (!side) return { image: await runtime.decode(bytes, { maxPixels }) };
    const size = await runtime.imageSize(bytes, { maxPixels });
    const pipeline = openImage(bytes, { maxPixels }).resize(side, side, { fit: 'inside', withoutEnlargement: true });
    return { image: await toRgbImage(pipeline, bytes), size };
  };
  return {
    stats,
    async onIndexed(images) {
      const started = performance.now();
      const items: RegionImage[] = [];
      for (const image of images) {
        try {
          if (sizeOnly && !image.tokens) throw new Error('no tokens from the image pass');
          items.push({ id: image.id, tag: contentTag(image.hash), ...(await decode(image.bytes)), imageTokens: image.tokens });
        } catch (err) {
          log.warn(`regions: image ${image.id} left for the next pass: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      const added = await indexer.add(items);
      stats.images += added.images;
      stats.regions += added.regions;
      stats.proposeMs += added.proposeMs;
      stats.encodeMs += added.encodeMs;
      stats.ms += performance.now() - started;
      onProgress?.(stats.images);
    },
    close: () => indexer.close(),
  };
}
