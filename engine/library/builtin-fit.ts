// The built-in model was trained on the synthetic scene world only (models/builtin): on other
// pictures its rankings mean little. This says so when a built-in library holds images that are not
// world scenes (those are 224x224 PNG renders), with the command that gets a real model.
import type { Database } from '../store/database.ts';

/** World scenes are rendered at this size (engine/world/generate-world.ts). */
const sceneSide = 224;

export const realModelHint = 'visualref models   # lists real CLIP/SigLIP models and the command that downloads each; then index with --model clip-vit-b32';

/** How many indexed images do not look like world scenes; read with one bounded query. */
function nonSceneCount(db: Database): number {
  const row = db
    .prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM images WHERE status = 'indexed' AND NOT (width = ? AND height = ? AND lower(rel_path) LIKE '%.png') LIMIT 1000)`)
    .get(sceneSide, sceneSide) as { n: number };
  return row.n;
}

/** A warning when the library uses the built-in model on images that are not world scenes. */
export function builtinModelWarning(library: { model: string } | { model: string; db: Database }): string | undefined {
  // A postgres library (no SQLite db) is not checked.
  if (library.model !== 'builtin' || !('db' in library)) return undefined;
  const n = nonSceneCount(library.db);
  if (n === 0) return undefined;
  return `the built-in model only knows the synthetic scene world, and ${n >= 1000 ? 'many' : n} image${n === 1 ? '' : 's'} here ${n === 1 ? 'is' : 'are'} not world scenes: results will be poor. Get a real model: ${realModelHint}`;
}
