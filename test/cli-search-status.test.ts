import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir, tinyClip, writeImages } from './helpers/library-fixtures.ts';
import { runCli } from './helpers/run-cli.ts';

test('index, search and status from the command line', async (t) => {
  const dir = tempDir(t, 'visualref-cli-');
  const images = join(dir, 'images');
  await writeImages(images, 8);
  const data = join(dir, 'data');

  const missing = await runCli(['status', '--data', data]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no library .* run `visualref index <folder>` first/);

  const indexed = await runCli(['index', images, '--model', tinyClip, '--data', data, '--batch', '3']);
  assert.equal(indexed.code, 0, indexed.stderr);
  assert.match(indexed.stdout, /8 image files; 8 added, 0 updated, 0 unchanged, 0 removed, 0 skipped/);
  assert.match(indexed.stderr, /8\/8 files, 8 indexed, 0 skipped, [\d.]+ files\/s, ETA/, 'plain progress lines when not on a terminal');

  // Without --model the last indexed library is used.
  const text = await runCli(['search', 'a striped picture', '--k', '5', '--json', '--data', data]);
  assert.equal(text.code, 0, text.stderr);
  const hits = JSON.parse(text.stdout) as { id: number; path: string; score: number }[];
  assert.equal(hits.length, 5);
  assert.ok(hits.every((h, i) => i === 0 || hits[i - 1].score >= h.score), 'best first');
  assert.ok(hits.every((h) => /^img00\d\.jpg$/.test(h.path)));

  const copy = join(dir, 'query.jpg');
  copyFileSync(join(images, 'img006.jpg'), copy);
  const byFile = await runCli(['search', '--image', copy, '--k', '2', '--data', data]);
  assert.equal(byFile.code, 0, byFile.stderr);
  const lines = byFile.stdout.trim().split('\n');
  assert.match(lines[0], /rank\s+score\s+id\s+path/);
  assert.match(lines[1], /^\s+1\s+1\.0000\s+7\s+img006\.jpg$/);
  assert.equal(lines.length, 3);

  const status = await runCli(['status', '--json', '--data', data, '--model', tinyClip]);
  assert.equal(status.code, 0, status.stderr);
  const s = JSON.parse(status.stdout) as Record<string, unknown>;
  assert.equal(s.images, 8);
  assert.equal(s.skipped, 0);
  assert.equal(s.model, tinyClip);
  assert.equal(s.dataDir, data);
  assert.equal(s.root, images);
  assert.deepEqual(s.skippedFiles, []);
  assert.ok((s.indexBytes as number) > 0);

  const human = await runCli(['status', '--data', data]);
  assert.match(human.stdout, /images:\s+8 indexed, 0 skipped/);
});

test('bad command-line input is refused with exit code 2', async (t) => {
  const dir = tempDir(t, 'visualref-cli-');
  const cases: [string[], RegExp][] = [
    [['search', 'x', '--k', '0'], /--k: /],
    [['search', 'x', '--k', 'many'], /--k: /],
    [['search'], /give a text or --image/],
    [['search', 'x', '--image', '3'], /either a text or --image/],
    [['index'], /give exactly one folder/],
    [['index', join(dir, 'nowhere')], /cannot read the folder/],
    [['index', dir, '--batch', '0'], /--batch: /],
    [['index', dir, '--provider', 'tpu'], /--provider: /],
    [['status', '--colour'], /Unknown option/],
  ];
  for (const [args, message] of cases) {
    const result = await runCli([...args, '--data', join(dir, 'data')]);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(' '));
  }
});

test('index --dtype q8 encodes with the int8 variant; an unknown variant is a usage error', async (t) => {
  const dir = tempDir(t, 'visualref-cli-dtype-');
  const images = join(dir, 'images');
  await writeImages(images, 3);
  const data = join(dir, 'data');
  const indexed = await runCli(['index', images, '--model', tinyClip, '--data', data, '--dtype', 'q8']);
  assert.equal(indexed.code, 0, indexed.stderr);
  assert.match(indexed.stdout, /3 image files; 3 added/);
  const bad = await runCli(['index', images, '--model', tinyClip, '--data', data, '--dtype', 'int4']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--dtype/);
});
