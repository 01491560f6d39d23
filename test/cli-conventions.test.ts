// Command-line conventions (issue 17): help on stdout, "did you mean", clear messages for bad
// numbers, JSON that stays JSON, the captioner chosen by the library's model, clipped boxes said
// out loud, and an index run that reports its region pass and says when nothing changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir, writeImages } from './helpers/library-fixtures.ts';
import { needsBuiltinModel } from './helpers/mcp-world-library.ts';
import { runCli } from './helpers/run-cli.ts';

test('help goes to stdout, an unknown command gets "did you mean", bad numbers get a plain message', async (t) => {
  const data = join(tempDir(t, 'visualref-cli-conv-'), 'data');
  const help = await runCli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /usage: visualref <command>/);
  assert.equal(help.stderr, '');

  for (const command of ['index', 'search', 'status', 'models', 'world', 'eval', 'caption', 'caption-all', 'mcp', 'serve', 'demo']) {
    const own = await runCli([command, '--help']);
    assert.equal(own.code, 0, `${command} --help: ${own.stderr}`);
    assert.match(own.stdout, /usage: visualref /, `${command} --help prints its usage on stdout`);
  }

  const typo = await runCli(['serch', 'a cat']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown command "serch" \(did you mean "search"\?\)/);

  const negative = await runCli(['search', 'x', '--k', '-5', '--data', data]);
  assert.equal(negative.code, 2);
  assert.match(negative.stderr, /--k: must be at least 1 \(got "-5"\)/);
  assert.doesNotMatch(negative.stderr, /ambiguous/);
  const word = await runCli(['search', 'x', '--k', 'abc', '--data', data]);
  assert.equal(word.code, 2);
  assert.match(word.stderr, /--k: expected a whole number \(got "abc"\)/);

  const status = await runCli(['status', '--json', '--data', data]);
  assert.equal(status.code, 1);
  const parsed = JSON.parse(status.stdout) as { error: string };
  assert.match(parsed.error, /no library/);
});

test('caption on a built-in library uses world-phrases; a box partly outside is reported; re-index says nothing changed', { skip: needsBuiltinModel, timeout: 300_000 }, async (t) => {
  const dir = tempDir(t, 'visualref-cli-conv-');
  const world = join(dir, 'world');
  const data = join(dir, 'data');
  const rendered = await runCli(['world', '--seed', '60613', '--count', '6', '--out', world]);
  assert.equal(rendered.code, 0, rendered.stderr);

  const indexed = await runCli(['index', world, '--model', 'builtin', '--data', data]);
  assert.equal(indexed.code, 0, indexed.stderr);
  assert.match(indexed.stdout, /6 image files; 6 added/);
  assert.match(indexed.stdout, /^total \d+\.\d s$/m, 'the summary counts the whole run');
  assert.doesNotMatch(indexed.stdout, /warning/, 'world scenes with the built-in model are what it knows');
  if (/^regions:/m.test(indexed.stdout)) assert.match(indexed.stdout, /regions: .* regions \(\d+\.\d s\)/, 'the region pass has its own time');

  const status = await runCli(['status', '--data', data]);
  assert.match(status.stdout, /^regions: +6 of 6 images$/m, 'status shows how far the region pass got');

  const again = await runCli(['index', world, '--model', 'builtin', '--data', data]);
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /0\/0 files/);
  assert.match(again.stderr, /no new or changed files/);
  assert.match(again.stdout, /nothing changed since the last run/);

  const caption = await runCli(['caption', '1', '--json', '--data', data]);
  assert.equal(caption.code, 0, caption.stderr);
  assert.equal((JSON.parse(caption.stdout) as { captioner: string }).captioner, 'world-phrases');
  const file = await runCli(['caption', join(world, readdirSync(world).find((f) => f.endsWith('.png'))!), '--json', '--data', data]);
  assert.equal(file.code, 0, file.stderr);
  assert.equal((JSON.parse(file.stdout) as { captioner: string }).captioner, 'world-phrases', 'a file is captioned with the library model too');

  // A port already taken: the message names the flag to pick another.
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = String((taken.address() as { port: number }).port);
  const busy = await runCli(['serve', '--port', port, '--data', data]).finally(() => taken.close());
  assert.equal(busy.code, 1);
  assert.match(busy.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use .*--port N`));

  const clipped = await runCli(['caption', '1', '--box', '200,200,100,100', '--units', 'px', '--data', data]);
  assert.equal(clipped.code, 0, clipped.stderr);
  assert.match(clipped.stderr, /reaches outside the 224x224 image; captioning the part inside: 200,200,24,24/);
});

test('the built-in model on pictures that are not world scenes: index, status and search say so, with the command for a real model', { skip: needsBuiltinModel, timeout: 300_000 }, async (t) => {
  const dir = tempDir(t, 'visualref-cli-conv-');
  const photos = join(dir, 'photos');
  const data = join(dir, 'data');
  await writeImages(photos, 4);
  const indexed = await runCli(['index', photos, '--model', 'builtin', '--data', data]);
  assert.equal(indexed.code, 0, indexed.stderr);
  assert.match(indexed.stdout, /warning: the built-in model only knows the synthetic scene world, and 4 images here are not world scenes.*visualref models/);
  const status = await runCli(['status', '--data', data]);
  assert.match(status.stdout, /warning: +the built-in model only knows/);
  const search = await runCli(['search', 'a dog', '--data', data, '--k', '2']);
  assert.equal(search.code, 0, search.stderr);
  assert.match(search.stderr, /warning: the built-in model only knows/);
});

test('npx visualref warns about no npm config, and the CUDA download stays skipped for install scripts', () => {
  const root = new URL('..', import.meta.url).pathname;
  const env = { ...process.env };
  delete env.ONNXRUNTIME_NODE_INSTALL;
  delete env.NODE_OPTIONS;
  const help = spawnSync('npm', ['exec', '--', 'visualref', '--help'], { cwd: root, env, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /usage: visualref <command>/);
  assert.doesNotMatch(help.stderr, /npm warn/i);
  // What onnxruntime-node's install script reads, as npm runs a package script (.npmrc node-options).
  const script = (extra: Record<string, string>) =>
    spawnSync('npm', ['exec', '--', 'node', '-e', 'process.stdout.write(String(process.env.ONNXRUNTIME_NODE_INSTALL))'], { cwd: root, env: { ...env, ...extra }, encoding: 'utf8' });
  assert.equal(script({}).stdout, 'skip');
  assert.equal(script({ ONNXRUNTIME_NODE_INSTALL: 'cuda12' }).stdout, 'cuda12', 'a user asking for CUDA gets it');
});
