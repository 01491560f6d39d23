// configs/models.yaml through engine/models/registry.ts and `visualref models`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { listModels, loadRegistry, modelSlug, resolveFolder, resolveModel, registrySchema } from '../engine/models/registry.ts';
import { repoRoot } from '../engine/config/load-config.ts';

test('the registry lists the default builtin model, the published models and the tiny test models', () => {
  const models = listModels();
  const byName = new Map(models.map((m) => [m.name, m]));
  for (const name of ['builtin', 'clip-vit-b32', 'clip-vit-l14', 'siglip-b16', 'tiny-clip', 'tiny-siglip']) assert.ok(byName.has(name), name);
  assert.equal(loadRegistry().default, 'builtin');
  assert.equal(byName.get('builtin')?.isDefault, true);
  assert.equal(byName.get('builtin')?.path, join(repoRoot, 'models', 'builtin'));
  assert.equal(byName.get('tiny-clip')?.present, true);
  assert.equal(byName.get('clip-vit-b32')?.path, join(homedir(), '.visualref', 'models', 'clip-vit-b32'));
  assert.match(byName.get('clip-vit-b32')?.download ?? '', /Xenova\/clip-vit-base-patch32 .*--local-dir ~\/\.visualref\/models\/clip-vit-b32/);
  assert.equal(byName.get('siglip-b16')?.source, 'Xenova/siglip-base-patch16-224');
});

test('a name resolves to its folder; a folder path resolves to itself', () => {
  const tiny = join(repoRoot, 'test', 'models', 'tiny-clip');
  assert.deepEqual(resolveModel('tiny-clip').folder, tiny);
  const byPath = resolveModel(tiny);
  assert.deepEqual([byPath.name, byPath.folder, byPath.entry], ['tiny-clip', tiny, undefined]);
});

test('an absent registered model fails with its download command; an unknown name lists the known ones', () => {
  const registry = registrySchema.parse({
    default: 'far',
    models: { far: { folder: '/nonexistent/far', family: 'clip', dim: 512, license: 'MIT', description: 'x', download: 'fetch-it --now' } },
  });
  assert.throws(() => resolveModel(undefined, registry), /model "far" is not at \/nonexistent\/far; get it with: fetch-it --now/);
  assert.throws(() => resolveModel('nothing-here', registry), /unknown model "nothing-here".*\(far\)/);
});

test('folders: ~ is the home directory, relative folders are from the repository root', () => {
  assert.equal(resolveFolder('~/m'), join(homedir(), 'm'));
  assert.equal(resolveFolder('models/x'), join(repoRoot, 'models', 'x'));
  assert.equal(resolveFolder('/abs/x'), '/abs/x');
});

test('an invalid registry names the field at fault', () => {
  const dir = mkdtempSync(join(tmpdir(), 'visualref-registry-'));
  const saved = process.env.VISUALREF_CONFIG_DIR;
  try {
    process.env.VISUALREF_CONFIG_DIR = dir;
    writeFileSync(join(dir, 'models.yaml'), 'default: a\nmodels:\n  a:\n    folder: x\n    family: vit\n    dim: 3\n    license: l\n    description: d\n    download: d\n');
    assert.throws(() => loadRegistry(), /models\.a\.family/);
    writeFileSync(join(dir, 'models.yaml'), 'default: b\nmodels: {}\n');
    assert.throws(() => loadRegistry(), /default: default must name one of the models/);
  } finally {
    if (saved === undefined) delete process.env.VISUALREF_CONFIG_DIR;
    else process.env.VISUALREF_CONFIG_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('model slugs are safe folder names', () => {
  assert.equal(modelSlug('clip-vit-b32'), 'clip-vit-b32');
  assert.equal(modelSlug('My Model/v2'), 'my-model-v2');
  assert.equal(modelSlug('../..'), 'model');
});

test('`visualref models --json` lists the registry with presence; the table marks the default', () => {
  const bin = join(repoRoot, 'bin', 'visualref.js');
  const json = JSON.parse(execFileSync(process.execPath, [bin, 'models', '--json'], { encoding: 'utf8' })) as { name: string; present: boolean }[];
  assert.equal(json.find((m) => m.name === 'tiny-siglip')?.present, true);
  const table = execFileSync(process.execPath, [bin, 'models'], { encoding: 'utf8' });
  assert.match(table, /^builtin \*/m);
  assert.match(table, /^tiny-clip\s+clip\s+32\s+yes/m);
});
