// The import rule of the README's "Architecture" section: imports point down the layers. The engine
// is the ground floor, the tools stand on it, and the faces (MCP, web API, CLI, chat agent) and the
// evaluation and benchmarks stand on the tools. The web bundle reaches only files that never touch
// Node's built-ins, so the browser shares the tools' schemas instead of keeping copies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { repoRoot } from '../engine/config/load-config.ts';

const sourceFile = /\.(ts|tsx)$/;
const importSpec = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function filesUnder(dir: string): string[] {
  return readdirSync(join(repoRoot, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(repoRoot, path)).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : filesUnder(path);
    return sourceFile.test(name) ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  return [...text.matchAll(importSpec)].map((m) => m[1] ?? m[2]);
}

/** Repo-relative targets of a file's relative imports. */
function localImports(file: string): string[] {
  return importsOf(file)
    .filter((s) => s.startsWith('.'))
    .map((s) => relative(repoRoot, resolve(repoRoot, dirname(file), s)));
}

const layers: Record<string, string[]> = {
  engine: ['agent', 'tools', 'server', 'mcp-server', 'cli', 'web', 'bench', 'eval'],
  tools: ['agent', 'server', 'mcp-server', 'cli', 'web', 'bench', 'eval'],
};

for (const [layer, forbidden] of Object.entries(layers)) {
  test(`${layer}/ imports nothing from ${forbidden.join(', ')}`, () => {
    const upward = filesUnder(layer).flatMap((file) =>
      localImports(file)
        .filter((target) => forbidden.includes(target.split('/')[0]))
        .map((target) => `${file} -> ${target}`),
    );
    assert.deepEqual(upward, []);
  });
}

test('the web bundle reaches no file that imports a Node built-in', () => {
  const seen = new Set<string>();
  const offending: string[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of importsOf(file)) if (spec.startsWith('node:')) offending.push(`${file} imports ${spec}`);
    for (const target of localImports(file)) visit(target);
  };
  for (const file of filesUnder('web/src')) visit(file);
  assert.deepEqual(offending, []);
  assert.ok([...seen].some((f) => f.startsWith('tools/contract/')), 'the web bundle takes the tool schemas from tools/contract');
});
