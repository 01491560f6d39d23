import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { generateWorld, sceneSeed, type WorldCaptions } from '../engine/world/generate-world.ts';
import { Prng } from '../engine/world/prng.ts';
import { renderBackground } from '../engine/world/rasterise.ts';
import { sampleScene, sceneSize } from '../engine/world/scene.ts';

async function withTempDirs<T>(count: number, body: (dirs: string[]) => Promise<T>): Promise<T> {
  const dirs = await Promise.all(Array.from({ length: count }, () => mkdtemp(join(tmpdir(), 'world-test-'))));
  try {
    return await body(dirs);
  } finally {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}

test('the same seed renders byte-identical scenes and captions, in worker threads or not; another seed does not', async () => {
  await withTempDirs(3, async ([a, b, c]) => {
    await generateWorld({ seed: 42, count: 12, split: 'test', outDir: a });
    // Rendered in worker threads this time: the threads must not change a byte.
    await generateWorld({ seed: 42, count: 12, split: 'test', outDir: b, workers: 2 });
    await generateWorld({ seed: 43, count: 12, split: 'test', outDir: c });
    const files = (await readdir(a)).sort();
    assert.equal(files.length, 13);
    assert.deepEqual((await readdir(b)).sort(), files);
    let differing = 0;
    for (const file of files) {
      const bytes = await readFile(join(a, file));
      assert.ok(bytes.equals(await readFile(join(b, file))), `${file} differs between two runs of seed 42`);
      if (!bytes.equals(await readFile(join(c, file)))) differing++;
    }
    assert.equal(differing, files.length, 'seed 43 should give other scenes than seed 42');
  });
});

test('captions.json is in the Karpathy layout with five captions and annotated objects per scene', async () => {
  await withTempDirs(1, async ([dir]) => {
    await generateWorld({ seed: 3, count: 20, split: 'val', outDir: dir });
    const doc = JSON.parse(await readFile(join(dir, 'captions.json'), 'utf8')) as WorldCaptions;
    assert.equal(doc.images.length, 20);
    for (const [i, image] of doc.images.entries()) {
      assert.equal(image.imgid, i);
      assert.equal(image.split, 'val');
      assert.equal(image.sentences.length, 5);
      assert.ok(image.sentences.every((s) => s.raw.length > 0 && s.imgid === i));
      assert.ok(image.objects.length >= 1 && image.objects.length <= 4);
      const meta = await sharp(join(dir, image.filename)).metadata();
      assert.equal(meta.width, sceneSize);
      assert.equal(meta.height, sceneSize);
    }
    // Captions vary: across the scenes, many distinct first words and lengths.
    const firsts = new Set(doc.images.flatMap((im) => im.sentences.map((s) => s.raw.split(' ').slice(0, 2).join(' '))));
    assert.ok(firsts.size >= 5, `captions look templated alike: ${[...firsts].join(' | ')}`);
  });
});

test('every box is tight around its object and nothing is drawn outside the boxes', async () => {
  await withTempDirs(1, async ([dir]) => {
    const seed = 11;
    const doc = await generateWorld({ seed, count: 40, split: 'test', outDir: dir });
    for (const image of doc.images) {
      const { data } = await sharp(join(dir, image.filename)).raw().toBuffer({ resolveWithObject: true });
      const background = renderBackground(sampleScene(new Prng(sceneSeed(seed, 'test', image.imgid)))).data;
      const drawn = (x: number, y: number) => {
        const i = (y * sceneSize + x) * 3;
        return data[i] !== background[i] || data[i + 1] !== background[i + 1] || data[i + 2] !== background[i + 2];
      };
      const inBox = (x: number, y: number) =>
        image.objects.some(({ box: [bx, by, bw, bh] }) => x >= bx && x < bx + bw && y >= by && y < by + bh);
      for (let y = 0; y < sceneSize; y++) {
        for (let x = 0; x < sceneSize; x++) {
          if (drawn(x, y)) assert.ok(inBox(x, y), `${image.filename}: pixel (${x},${y}) drawn outside every box`);
        }
      }
      for (const { box: [bx, by, bw, bh], shape } of image.objects) {
        let covered = 0;
        for (let y = by; y < by + bh; y++) for (let x = bx; x < bx + bw; x++) if (drawn(x, y)) covered++;
        assert.ok(covered / (bw * bh) > 0.3, `${image.filename}: the ${shape} box is mostly background`);
        const edges = [
          Array.from({ length: bw }, (_, k) => drawn(bx + k, by)),
          Array.from({ length: bw }, (_, k) => drawn(bx + k, by + bh - 1)),
          Array.from({ length: bh }, (_, k) => drawn(bx, by + k)),
          Array.from({ length: bh }, (_, k) => drawn(bx + bw - 1, by + k)),
        ];
        assert.ok(edges.every((edge) => edge.some(Boolean)), `${image.filename}: the ${shape} box is not tight`);
      }
    }
  });
});

const run = promisify(execFile);

test('`visualref world` writes the same files as the library and names a missing flag', async () => {
  await withTempDirs(2, async ([cli, lib]) => {
    await run(process.execPath, ['bin/visualref.js', 'world', '--seed', '9', '--count', '4', '--split', 'train', '--out', cli]);
    await generateWorld({ seed: 9, count: 4, split: 'train', outDir: lib });
    for (const file of await readdir(lib)) {
      assert.ok((await readFile(join(cli, file))).equals(await readFile(join(lib, file))), file);
    }
    await assert.rejects(
      run(process.execPath, ['bin/visualref.js', 'world', '--count', '4', '--out', cli]),
      (err: { code: number; stderr: string }) => err.code === 2 && /--seed: is required/.test(err.stderr),
    );
  });
});
