// What every tool function needs, opened once per process and shared by the MCP server and the web
// app: the library (vectors, images, encoders), the session store, the captioner and the settings.
import { join } from 'node:path';
import type { Captioner, ExecutionProvider } from '../engine/types.ts';
import type { Library } from '../engine/library/library.ts';
import { openExistingLibrary } from '../engine/library/open-existing.ts';
import { openDatabase } from '../engine/store/database.ts';
import { captionerForLibrary } from '../engine/captioners/for-library.ts';
import { SessionStore } from './sessions/session-store.ts';
import { loadFeedbackConfig, type FeedbackConfig } from '../engine/feedback/config.ts';
import { loadRegionsConfig, type RegionsConfig } from '../engine/regions/config.ts';
import { openLibraryRegions } from '../engine/regions/library-regions.ts';
import type { RegionMatrix, RegionStore } from '../engine/regions/region-store.ts';
import { rebuildRegionsInBackground } from '../engine/regions/rebuild-regions.ts';
import { log } from '../engine/log.ts';
import { loadToolsConfig, type ToolsConfig } from './config.ts';
import { Thumbnailer } from '../engine/images/thumbnails.ts';
import { TokenCache } from '../engine/regions/token-cache.ts';
import { markTokens } from './region-marks.ts';

export interface ToolConfig {
  tools: ToolsConfig;
  feedback: FeedbackConfig;
  regions: RegionsConfig;
}

export interface ToolContext {
  library: Library;
  sessions: SessionStore;
  captioner: Captioner;
  config: ToolConfig;
  /** The stored regions of a library image; without them, region feedback matches the whole image. */
  regionsOf(id: number): RegionMatrix | undefined;
  /** The stored regions of many images at once (a re-rank's candidates); images without any are left out. */
  regionsOfMany(ids: readonly number[]): Map<number, RegionMatrix>;
  /** The tokens of marked and opened images (configs/regions.yaml rerank.tokenCacheMB). */
  markTokenCache: TokenCache;
  /**
   * Computes in the background the tokens of an image a user opened to draw boxes on, so that the boxes
   * cost no decode and no encoder pass at the next refine.
   */
  warmMarkTokens(id: number): void;
  /** Images whose region record was found damaged (their regions are ignored until the next index run). */
  damagedRegions: ReadonlySet<number>;
  /** Thumbnails of library images, one cache for every face of the process. */
  thumbnails: Thumbnailer;
  /** Catches up with changes another process made to the data directory (a re-index, a region pass). */
  reload(): void;
}

export interface OpenToolContextOptions {
  /** Data directory (default $VISUALREF_DATA or ~/.visualref). */
  dataDir?: string;
  /** Registry name or model folder (default: the last one indexed in dataDir). */
  model?: string;
  provider?: ExecutionProvider;
  /** A captioner of configs/captioning/captioners.yaml (default: the model's, see chooseCaptionerName). */
  captioner?: string;
}

export interface OpenedToolContext extends ToolContext {
  close(): Promise<void>;
}

export async function openToolContext(options: OpenToolContextOptions = {}): Promise<OpenedToolContext> {
  const config: ToolConfig = { tools: loadToolsConfig(), feedback: loadFeedbackConfig(), regions: loadRegionsConfig() };
  const library = await openExistingLibrary({ dataDir: options.dataDir, model: options.model, provider: options.provider });
  const sessionDb = openDatabase(join(library.dir, 'sessions.db'));
  try {
    const sessions = new SessionStore(sessionDb, { ttlMs: config.feedback.sessions.ttlHours * 3600 * 1000 });
    const captioner = captionerForLibrary(library, options.captioner);
    const regionsEnabled = config.regions.enabled;
    const damagedRegions = new Set<number>();
    const thumbnails = new Thumbnailer((id) => library.readImageFile(id), library.maxPixels);
    const rebuild = new AbortController();
    let rebuilding: Promise<void> | undefined;
    const open = (): RegionStore | undefined =>
      openLibraryRegions(library, () => {
        rebuilding = rebuildRegionsInBackground(library, rebuild.signal).then(() => {
          regionStore ??= open();
        });
      });
    // The region index is made by a separate pass and may appear, or grow, while the server runs.
    let regionStore = regionsEnabled ? open() : undefined;
    const markTokenCache = new TokenCache(config.regions.rerank.tokenCacheMB * 2 ** 20);
    const warming = new Map<number, Promise<void>>();
    let closing = false;
    const warmMarkTokens = (id: number): void => {
      if (closing || warming.has(id) || !regionsEnabled || config.regions.embed !== 'tokens' || markTokenCache.maxBytes === 0) return;
      // A failure here is not reported: the refine that needs these tokens computes them and reports it.
      const job = markTokens(library, [id], markTokenCache).then(
        () => undefined,
        () => undefined,
      );
      warming.set(id, job);
      void job.then(() => warming.delete(id));
    };
    const regionsOfMany = (ids: readonly number[]): Map<number, RegionMatrix> =>
      regionStore
        ? regionStore.getMatrices(ids, (err) => {
            if (!damagedRegions.has(err.imageId)) log.warn(`${err.message}; image ${err.imageId} is scored as a whole image until \`visualref index\` extracts its regions again`);
            damagedRegions.add(err.imageId);
          })
        : new Map();
    return {
      library,
      sessions,
      captioner,
      config,
      damagedRegions,
      thumbnails,
      regionsOf: (id) => regionsOfMany([id]).get(id),
      regionsOfMany,
      markTokenCache,
      warmMarkTokens,
      reload() {
        library.reconcile();
        // Ids may now name other files.
        thumbnails.clear();
        if (regionStore) regionStore.refresh();
        else if (regionsEnabled && !rebuilding) regionStore = open();
      },
      async close() {
        closing = true;
        await Promise.all(warming.values());
        rebuild.abort();
        await rebuilding;
        regionStore?.close();
        sessionDb.close();
        await library.close();
      },
    };
  } catch (err) {
    sessionDb.close();
    await library.close();
    throw err;
  }
}
