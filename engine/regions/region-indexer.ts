// Region extraction at index time: for each image, propose regions (configs/regions.yaml `source`),
// embed them (`embed`: pooled from the image's projected tokens, or crops cut from the original
// image; engine/regions/region-embedding.ts), and append them to the library's region store. The library's indexer calls `add` once per
// batch; images whose regions are missing (a run killed between the library's commit and the region
// store's) are found by `missing` and added on the next run.
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Box, EncoderInfo, ImageEncoder, RegionProposal, RegionProposer, RgbImage, TokenMatrix } from '../types.ts';
import { clampBox } from './geometry.ts';
import { prepareForModel } from '../images/prepare.ts';
import { log } from '../log.ts';
import { loadRegionsConfig, type RegionsConfig } from './config.ts';
import { createRegionProposer } from './proposers.ts';
import { embedBoxes, effectiveEmbed, encodeImageTokens, tokensOf, type BoxEncoder, type ImageTokens, type RegionEmbed } from './region-embedding.ts';
import { proposeCells } from './cell-proposer.ts';
import { tokenCells } from './token-pooling.ts';
import { windowBoxes } from './windows.ts';
import { RegionStore } from './region-store.ts';
import { moveDamagedStoreAside, RegionStoreHeaderError } from './region-damage.ts';
import { TokenCellProposer, tokenGrid } from './token-cells.ts';

export const regionsFileName = 'regions.bin';

/**
 * What region extraction needs of the model: the library's ModelRuntime fits as is; an ImageEncoder
 * through regionEncoderOf. The token source also needs the preprocessing and the tokens.
 */
export interface RegionEncoder extends BoxEncoder {
  readonly info: EncoderInfo;
  encodeTokens?(prepared: RgbImage[]): Promise<TokenMatrix[]>;
}

export function regionEncoderOf(encoder: ImageEncoder): RegionEncoder {
  return {
    info: encoder.info,
    preprocess: encoder.preprocess,
    prepare: (image, box) => prepareForModel(image, encoder.preprocess, box),
    encodeImages: async (prepared) => (await encoder.encodePixels(prepared)).map((e) => e.embedding),
    encodeTokens: async (prepared) =>
      (await encoder.encodePixels(prepared, { tokens: true })).map((e) => {
        if (!e.tokens) throw new Error(`model ${encoder.info.model} gives no token output (last_hidden_state)`);
        return e.tokens;
      }),
    encodeTokenEmbeds: encoder.hasTokenEmbeds ? (prepared) => encodeImageTokens(encoder, prepared) : undefined,
    poolTokenSets: encoder.poolTokenSets?.bind(encoder),
  };
}

export interface RegionImage {
  id: number;
  /** Version of the image (e.g. the start of its content hash), stored with its regions. */
  tag?: number;
  /** The decoded original image (EXIF-rotated), or a smaller copy of it when `size` is given. */
  image: RgbImage;
  /** The original's size when `image` is a smaller copy (regions are stored in the original's pixels). */
  size?: { width: number; height: number };
  /** Tokens of the image from the library's own encoding, when it asked for them (token source). */
  tokens?: TokenMatrix;
  /** The image's tokens from the library's own encoding (saves the region pass its encoder run). */
  imageTokens?: ImageTokens;
}

export interface RegionAddStats {
  images: number;
  regions: number;
  proposeMs: number;
  encodeMs: number;
}

/** How token-source regions are embedded: the tokens themselves (direct) or crops of their cells. */
type TokenMode = { direct: true; skipFirst: boolean } | { direct: false };

function normalised(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n) || 1;
  return v.map((x) => x / n);
}

/** "proposer:1a2b3c": the source plus a digest of the settings that shape its regions and their vectors. */
function storeLabel(config: RegionsConfig, embed: RegionEmbed, tokenSide?: number): string {
  const shape = config.source === 'windows' ? config.windows : config.source === 'proposer' || config.source === 'cells' ? config.proposer : { side: tokenSide, ...config.tokens };
  // Crop-embedded stores keep their old label, so that they stay valid.
  const digest = createHash('sha1').update(JSON.stringify(embed === 'crops' ? shape : { shape, embed })).digest('hex').slice(0, 6);
  return `${config.source}:${digest}`;
}

function inOriginal(box: Box, item: RegionImage): Box {
  if (!item.size) return box;
  const sx = item.size.width / item.image.width;
  const sy = item.size.height / item.image.height;
  return clampBox({ x: box.x * sx, y: box.y * sy, w: box.w * sx, h: box.h * sy }, item.size.width, item.size.height);
}

/** The settings of the store at `file`; a store with a damaged header is moved aside (and rebuilt by the caller). */
function readSettingsOrMoveAside(file: string): ReturnType<typeof RegionStore.readSettings> {
  try {
    return RegionStore.readSettings(file);
  } catch (err) {
    if (!(err instanceof RegionStoreHeaderError)) throw err;
    moveDamagedStoreAside(file, err);
    return undefined;
  }
}

export class RegionIndexer {
  private constructor(
    readonly store: RegionStore,
    readonly proposer: RegionProposer,
    private readonly encoder: RegionEncoder,
    private readonly tokenMode: TokenMode | undefined,
    readonly embed: RegionEmbed,
    /** The `cells` source: proposals from the tokens themselves (configs/regions.yaml proposer settings). */
    private readonly cells?: RegionsConfig['proposer'],
  ) {}

  /**
   * Opens the region store of a library folder for `encoder`'s model. A store written with other
   * region settings (or another model dimension) is derived data: it is replaced, with a warning.
   */
  static async open(libraryDir: string, encoder: RegionEncoder, config: RegionsConfig = loadRegionsConfig(), file = join(libraryDir, regionsFileName)): Promise<RegionIndexer> {
    let proposer: RegionProposer;
    let tokenMode: TokenMode | undefined;
    let label: string;
    const embed = effectiveEmbed(encoder, config.embed);
    if (config.source === 'cells' && embed !== 'tokens') {
      log.warn(`regions: the cells source needs pooled tokens, which ${encoder.info.model} cannot give; using the proposer source`);
      config = { ...config, source: 'proposer' };
    }
    if (config.source === 'cells') {
      proposer = { name: 'cells', propose: () => Promise.reject(new Error('cell proposals come from the tokens')) };
      label = storeLabel(config, embed);
    } else if (config.source === 'tokens') {
      const { preprocess, encodeTokens } = encoder;
      if (!preprocess || !encodeTokens) throw new Error('the token region source needs an encoder that gives its preprocessing and tokens');
      const blank = { data: new Uint8Array(preprocess.cropWidth * preprocess.cropHeight * 3), width: preprocess.cropWidth, height: preprocess.cropHeight };
      const [tokens] = await encodeTokens([blank]);
      const probe = { tokens };
      const grid = tokenGrid(probe.tokens.count);
      proposer = new TokenCellProposer(preprocess, grid.side);
      if (embed === 'tokens') {
        tokenMode = undefined;
      } else if (config.tokens.embed === 'direct') {
        if (probe.tokens.dim !== encoder.info.dim) {
          throw new Error(`regions: tokens.embed is "direct" but ${encoder.info.model}'s tokens have ${probe.tokens.dim} values, its embeddings ${encoder.info.dim}`);
        }
        tokenMode = { direct: true, skipFirst: grid.skipFirst };
      } else {
        tokenMode = { direct: false };
        log.info(`regions: ${encoder.info.model}'s ${grid.side}×${grid.side} token cells are embedded as crops (its graph exposes no projected token output)`);
      }
      label = storeLabel(config, embed, grid.side);
    } else {
      proposer = createRegionProposer(config);
      label = storeLabel(config, embed);
    }
    const settings = { dim: encoder.info.dim, dtype: config.store.dtype, label };
    const existing = readSettingsOrMoveAside(file);
    if (existing && (existing.dim !== settings.dim || existing.dtype !== settings.dtype || existing.label !== settings.label)) {
      log.warn(`regions: ${file} holds ${existing.label} regions (dim ${existing.dim}, ${existing.dtype}); rebuilding them as ${label}`);
      rmSync(file);
    }
    return new RegionIndexer(RegionStore.open(file, settings), proposer, encoder, tokenMode, embed, config.source === 'cells' ? config.proposer : undefined);
  }

  has(id: number): boolean {
    return this.store.has(id);
  }

  /** The ids among `ids` that have no regions stored yet. */
  missing(ids: Iterable<number>): number[] {
    return [...ids].filter((id) => !this.store.has(id));
  }

  /** Proposes, embeds and stores the regions of a batch of images (replacing any they had). */
  async add(items: RegionImage[]): Promise<RegionAddStats> {
    const stats: RegionAddStats = { images: items.length, regions: 0, proposeMs: 0, encodeMs: 0 };
    if (items.length === 0) return stats;
    const t0 = performance.now();
    const proposals: RegionProposal[][] = [];
    if (this.cells) {
      const cells = this.cells;
      const tokens = await tokensOf(this.encoder, items.map((item) => ({ image: item.image, tokens: item.imageTokens })));
      items = items.map((item, k) => ({ ...item, imageTokens: tokens[k] }));
      items.forEach((item, k) => {
        const { width, height } = item.image;
        const grid = tokenCells(tokens[k].tokenEmbeds, width, height, this.encoder.preprocess as NonNullable<RegionEncoder['preprocess']>);
        const windows = windowBoxes(width, height, cells.plusWindows).map((box) => ({ box, source: 'window' as const }));
        proposals.push([...proposeCells(grid, cells), ...windows]);
      });
    } else {
      for (const item of items) proposals.push(await this.proposer.propose(item.image));
    }
    stats.proposeMs = performance.now() - t0;

    const t1 = performance.now();
    const embeddings = this.tokenMode?.direct
      ? await this.tokenEmbeddings(items, this.tokenMode.skipFirst)
      : await embedBoxes(this.encoder, items.map((item, k) => ({ image: item.image, tokens: item.imageTokens, boxes: proposals[k].map((p) => p.box) })), this.embed);
    stats.encodeMs = performance.now() - t1;

    const batch = items.map((item, k) => ({
      id: item.id,
      tag: item.tag,
      regions: proposals[k].map((p, r) => ({ box: inOriginal(p.box, item), source: p.source, embedding: embeddings[k][r] })),
    }));
    stats.regions = batch.reduce((n, b) => n + b.regions.length, 0);
    this.store.put(batch);
    return stats;
  }

  remove(ids: number[]): void {
    this.store.remove(ids);
  }

  close(): void {
    this.store.close();
  }

  private async tokenEmbeddings(items: RegionImage[], skipFirst: boolean): Promise<Float32Array[][]> {
    const needed = items.filter((item) => !item.tokens);
    const fresh = new Map<number, TokenMatrix>();
    if (needed.length) {
      const pixels = await Promise.all(needed.map((item) => this.encoder.prepare(item.image)));
      const encoded = await (this.encoder.encodeTokens as NonNullable<RegionEncoder['encodeTokens']>)(pixels);
      needed.forEach((item, k) => fresh.set(item.id, encoded[k]));
    }
    return items.map((item) => {
      const tokens = item.tokens ?? (fresh.get(item.id) as TokenMatrix);
      const out: Float32Array[] = [];
      for (let t = skipFirst ? 1 : 0; t < tokens.count; t++) out.push(normalised(tokens.data.subarray(t * tokens.dim, (t + 1) * tokens.dim)));
      return out;
    });
  }
}
