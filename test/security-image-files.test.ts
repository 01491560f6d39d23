// Files outside the library are never indexed or served: the scanner does not follow links out of the
// indexed folder, and every read after indexing (originals, thumbnails, MCP image://) goes through
// engine/library/image-file.ts, which refuses a file swapped, replaced or modified since indexing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Library } from '../engine/library/library.ts';
import { indexFolder } from '../engine/library/indexer.ts';
import { openToolContext } from '../tools/context.ts';
import { createWebRoutes } from '../server/web-routes.ts';
import { Thumbnailer } from '../engine/images/thumbnails.ts';
import { startServer } from './helpers/http-server.ts';
import { httpClient } from './helpers/mcp-client.ts';
import { imageBytes, indexConfig, pngBomb, tempDir, tinyClip } from './helpers/library-fixtures.ts';

test('the scanner never leaves the indexed folder; a link to a file inside it is followed', async (t) => {
  const dir = tempDir(t);
  const root = join(dir, 'W');
  const outside = join(dir, 'outside');
  mkdirSync(join(root, 'sub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(root, 'a.jpg'), await imageBytes(1));
  writeFileSync(join(root, 'sub', 'c.jpg'), await imageBytes(2));
  writeFileSync(join(outside, 'secret.jpg'), await imageBytes(3));
  symlinkSync(join(root, 'a.jpg'), join(root, 'same-as-a.jpg'));
  symlinkSync(join(root, 'sub'), join(root, 'sub-again'));
  symlinkSync(join(outside, 'secret.jpg'), join(root, 'out.jpg'));
  symlinkSync(outside, join(root, 'outdir'));
  symlinkSync('/etc', join(root, 'etc'));
  const library = await Library.open({ dataDir: join(dir, 'data'), model: tinyClip, indexConfig: indexConfig({}, 'flat') });
  t.after(() => library.close());
  await indexFolder(library, { folder: root });
  const indexed = library.listImages().map((r) => r.relPath);
  assert.deepEqual(indexed.sort(), ['a.jpg', 'same-as-a.jpg', 'sub/c.jpg']);
  const skipped = library.listImages('skipped').map((r) => [r.relPath, r.reason]);
  assert.deepEqual(skipped, [['out.jpg', 'symlink leads outside the library folder (not followed)']]);
});

test('a file swapped for a symlink, replaced or grown into a pixel bomb after indexing is never served', async (t) => {
  const dir = tempDir(t);
  const root = join(dir, 'W');
  mkdirSync(root);
  for (const [i, name] of ['a.jpg', 'b.jpg', 'c.jpg'].entries()) writeFileSync(join(root, name), await imageBytes(10 + i));
  const dataDir = join(dir, 'data');
  const library = await Library.open({ dataDir, model: tinyClip, indexConfig: indexConfig({}, 'flat') });
  await indexFolder(library, { folder: root });
  const idOf = new Map(library.listImages().map((r) => [r.relPath, r.id]));
  await library.close();

  const ctx = await openToolContext({ dataDir, model: tinyClip });
  t.after(() => ctx.close());
  const server = await startServer(ctx, { extraRoutes: (c) => createWebRoutes(c, { agent: { mode: 'deterministic' } }) });
  t.after(() => server.close());
  const a = idOf.get('a.jpg') as number;
  const b = idOf.get('b.jpg') as number;

  const before = await fetch(`${server.url}/api/images/${a}`);
  assert.equal(before.status, 200);
  assert.deepEqual(Buffer.from(await before.arrayBuffer()), await imageBytes(10));

  // The attack of the issue: move the file away, put a link to /etc/passwd in its place.
  renameSync(join(root, 'a.jpg'), join(dir, 'moved.jpg'));
  symlinkSync('/etc/passwd', join(root, 'a.jpg'));
  const original = await fetch(`${server.url}/api/images/${a}`);
  assert.equal(original.status, 404);
  assert.match(((await original.json()) as { error: string }).error, /changed since indexing/);
  assert.equal((await fetch(`${server.url}/api/images/${a}/thumb`)).status, 404);
  const client = await httpClient(`${server.url}/mcp`);
  t.after(() => client.close());
  await assert.rejects(client.readResource({ uri: `image://${a}` }), /outside the library folder/);
  const caption = await fetch(`${server.url}/api/caption-region`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ imageId: a, box: { x: 0, y: 0, w: 10, h: 10 }, units: 'px' }),
  });
  assert.equal(caption.status, 404, 'the tools refuse it too, as a changed image');
  assert.match(((await caption.json()) as { error: string }).error, /outside the library folder/);

  // A regular file replaced (a decompression bomb): its size no longer matches the record.
  writeFileSync(join(root, 'b.jpg'), pngBomb(30_000));
  assert.equal((await fetch(`${server.url}/api/images/${b}`)).status, 404);
  assert.equal((await fetch(`${server.url}/api/images/${b}/thumb?size=64`)).status, 404);
  await assert.rejects(client.readResource({ uri: `image://${b}` }), /was modified/);

  // Untouched images are still served.
  assert.equal((await fetch(`${server.url}/api/images/${idOf.get('c.jpg')}/thumb?size=64`)).status, 200);
});

test('thumbnails (web and MCP) refuse an image over the pixel limit before decoding it', async () => {
  const thumbnailer = new Thumbnailer(async () => pngBomb(30_000), 100_000_000);
  const started = performance.now();
  await assert.rejects(thumbnailer.thumbnail(1, { maxSide: 160, quality: 70 }), /pixel limit/);
  assert.ok(performance.now() - started < 2000, 'refused from the header, not after decoding');
});
