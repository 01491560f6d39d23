// Files named for a query are read only when they are regular files under the upload size limit:
// `search --image /dev/zero` (which used to read until memory ran out) and a FIFO are refused at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readQueryImageFile } from '../engine/images/query-file.ts';
import { runCli } from './helpers/run-cli.ts';
import { imageBytes, tempDir, tinyClip, writeImages } from './helpers/library-fixtures.ts';

test('search --image refuses /dev/zero and a FIFO at once, and still takes a real image file', async (t) => {
  const dir = tempDir(t);
  const images = join(dir, 'W');
  const data = join(dir, 'data');
  await writeImages(images, 3);
  assert.equal((await runCli(['index', images, '--model', tinyClip, '--data', data])).code, 0);

  const started = performance.now();
  const zero = await runCli(['search', '--image', '/dev/zero', '--data', data]);
  assert.notEqual(zero.code, 0);
  assert.match(zero.stderr, /--image: \/dev\/zero is not a regular file/);
  assert.ok(performance.now() - started < 30_000, 'refused at once');

  const fifo = join(dir, 'pipe.jpg');
  execFileSync('mkfifo', [fifo]);
  const piped = await runCli(['search', '--image', fifo, '--data', data]);
  assert.match(piped.stderr, /is not a regular file/);

  const photo = join(dir, 'query.jpg');
  writeFileSync(photo, await imageBytes(1));
  assert.equal((await runCli(['search', '--image', photo, '--k', '1', '--data', data])).code, 0);
});

test('a query file over the size limit is refused without being read', async (t) => {
  const file = join(tempDir(t), 'big.jpg');
  writeFileSync(file, Buffer.alloc(2048));
  await assert.rejects(readQueryImageFile(file, 1024), /big\.jpg is 2048 bytes, over the limit of 1024/);
  assert.equal((await readQueryImageFile(file, 4096)).length, 2048);
});
