// A small scene world indexed into a temporary data directory, made once per test file: the real
// world generator, the real indexer and the built-in model (the tiny test model until it exists).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../engine/config/load-config.ts';
import { generateWorld, type WorldCaptions } from '../../engine/world/generate-world.ts';
import { Library } from '../../engine/library/library.ts';
import { indexFolder } from '../../engine/library/indexer.ts';

export const builtinModel = join(repoRoot, 'models', 'builtin');
/** The model the MCP tests index with. */
export const testModel = existsSync(join(builtinModel, 'onnx', 'vision_model.onnx')) ? 'builtin' : join(repoRoot, 'test', 'models', 'tiny-clip');

/** Set on tests whose outcome depends on a model that understands scenes (not the random tiny one). */
export const needsBuiltinModel = testModel === 'builtin' ? false : 'needs the trained built-in model (models/builtin)';

/** A seed no training run uses, so results are on scenes the model has not seen. */
export const worldSeed = 60_613;

export interface WorldLibrary {
  dataDir: string;
  worldDir: string;
  world: WorldCaptions;
  model: string;
  /** Library image id of each world scene (by its filename). */
  idOf: Map<string, number>;
  remove(): void;
}

export async function makeWorldLibrary(count = 200, model = testModel): Promise<WorldLibrary> {
  const root = mkdtempSync(join(tmpdir(), 'visualref-mcp-'));
  const worldDir = join(root, 'world');
  const dataDir = join(root, 'data');
  const world = await generateWorld({ seed: worldSeed, count, split: 'test', outDir: worldDir });
  const library = await Library.open({ dataDir, model });
  const idOf = new Map<string, number>();
  try {
    await indexFolder(library, { folder: worldDir });
    for (const record of library.listImages()) idOf.set(record.relPath, record.id);
  } finally {
    await library.close();
  }
  return { dataDir, worldDir, world, model, idOf, remove: () => rmSync(root, { recursive: true, force: true }) };
}
