// visualref caption-all as a user runs it: a real CLI process against a slow in-test captioner
// server, killed mid-run, stopped with Ctrl-C, cancelled from another process, and resumed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import sharp from 'sharp';
import BetterSqlite3 from 'better-sqlite3';
import { Library } from '../engine/library/library.ts';
import { indexFolder } from '../engine/library/indexer.ts';

const repo = join(import.meta.dirname, '..');
const tinyClip = join(repo, 'test', 'models', 'tiny-clip');
const imageCount = 8;

let dir: string;
let server: Server;
let baseUrl: string;
let requests = 0;
let delayMs = 150;
/** While set, answers are kept here instead of sent: a job under test cannot finish before it is told to. */
let held: (() => void)[] | undefined;
const requestTimes: number[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'visualref-caption-all-'));
  const images = join(dir, 'images');
  mkdirSync(images);
  for (let i = 0; i < imageCount; i++) {
    await sharp({ create: { width: 48, height: 32, channels: 3, background: { r: 30 * i, g: 100, b: 200 - 20 * i } } })
      .png()
      .toFile(join(images, `img-${i}.png`));
  }
  const library = await Library.open({ dataDir: join(dir, 'data'), model: tinyClip });
  await indexFolder(library, { folder: images });
  await library.close();

  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const n = ++requests;
      requestTimes.push(performance.now());
      const answer = () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `c${n}`, object: 'chat.completion', created: 1, model: 'llava', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: `caption number ${n}` } }] }));
      };
      if (held) held.push(answer);
      else setTimeout(answer, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

after(() => {
  server?.closeAllConnections();
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [join(repo, 'bin', 'visualref.js'), ...args, '--data', join(dir, 'data'), '--model', tinyClip], {
    env: { ...process.env, VISUALREF_CAPTION_BASE_URL: baseUrl, VISUALREF_CAPTIONER: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function readDb<T>(fn: (db: BetterSqlite3.Database) => T): T {
  const db = new BetterSqlite3(join(dir, 'data', libraryFolder(), 'library.db'), { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** The library folder of the tiny model: the only folder in the data directory. */
function libraryFolder(): string {
  const folders = readdirSync(join(dir, 'data')).filter((f) => statSync(join(dir, 'data', f)).isDirectory());
  assert.equal(folders.length, 1);
  return folders[0];
}

const captionRows = () =>
  readDb((db) => db.prepare("SELECT image_id, text FROM captions WHERE captioner = 'llava' AND prompt_version = 'region-v1' ORDER BY image_id").all() as { image_id: number; text: string }[]);

test('a killed caption-all loses at most the caption in flight, and a re-run finishes without duplicates', async () => {
  requests = 0;
  const first = cli(['caption-all', '--captioner', 'llava', '--prompt', 'region']);
  await waitFor(() => requests >= 3, 'three captions requested');
  first.child.kill('SIGKILL');
  const killed = await first.done;
  assert.equal(killed.signal, 'SIGKILL');
  const saved = captionRows().length;
  assert.ok(saved >= 2 && saved <= requests, `${saved} captions saved after ${requests} requests`);

  const second = cli(['caption-all', '--captioner', 'llava', '--prompt', 'region']);
  const finished = await second.done;
  assert.equal(finished.code, 0, finished.stderr);
  assert.match(finished.stdout, new RegExp(`^done: ${imageCount - saved} captioned, 0 failed, 0 left`));
  assert.match(finished.stderr, /\[1\/\d+\] [\d.]+\/s image \d+: "caption number \d+"/);
  const rows = captionRows();
  assert.equal(rows.length, imageCount);
  assert.equal(new Set(rows.map((r) => r.image_id)).size, imageCount);
  // Every request but at most the one lost in flight became a stored caption.
  assert.ok(requests <= imageCount + 1, `${requests} requests for ${imageCount} images`);
  const jobs = readDb((db) => db.prepare('SELECT state FROM caption_jobs ORDER BY id').all() as { state: string }[]);
  assert.deepEqual(jobs.map((j) => j.state), ['interrupted', 'done']);

  // Nothing left: a third run captions nothing.
  const third = await cli(['caption-all', '--captioner', 'llava', '--prompt', 'region']).done;
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stdout, /^done: 0 captioned/);
});

test('Ctrl-C stops after the caption in flight and saves it; --cancel stops a job from another process', async () => {
  requests = 0;
  delayMs = 300;
  const grf = () => readDb((db) => (db.prepare("SELECT COUNT(*) AS n FROM captions WHERE prompt_version = 'grf-v1'").get() as { n: number }).n);

  const interrupted = cli(['caption-all', '--captioner', 'llava']);
  await waitFor(() => requests >= 3, 'the second caption under way');
  interrupted.child.kill('SIGINT');
  const stopped = await interrupted.done;
  assert.equal(stopped.code, 130, stopped.stderr);
  assert.match(stopped.stderr, /SIGINT: stopping after the caption in flight/);
  assert.match(stopped.stdout, /^cancelled: /);
  // The GRF prompt takes two requests per image; the one in flight was finished and saved.
  assert.equal(grf() * 2, requests);

  // The second run's answers are held until the cancel was asked: however slow this machine, the job
  // cannot have finished by then. Its own "started" signal is its running job row with its pid.
  held = [];
  const running = cli(['caption-all', '--captioner', 'llava']);
  const pid = running.child.pid;
  await waitFor(
    () => readDb((db) => db.prepare("SELECT 1 FROM caption_jobs WHERE state = 'running' AND pid = ?").get(pid)) !== undefined && (held?.length ?? 0) > 0,
    'the second run started and asked for a caption',
  );
  const cancel = await cli(['caption-all', '--cancel']).done;
  assert.equal(cancel.code, 0, cancel.stderr);
  assert.match(cancel.stdout, new RegExp(`^asked job \\d+ \\(llava, pid ${pid}\\) to stop after its caption in flight`));
  const release = held;
  held = undefined;
  for (const answer of release) answer();
  const cancelled = await running.done;
  assert.equal(cancelled.code, 0, cancelled.stderr);
  assert.match(cancelled.stdout, /^cancelled: /);
  assert.ok(grf() < imageCount, 'the cancelled job went on to the end');
  const none = await cli(['caption-all', '--cancel']).done;
  assert.match(none.stdout, /^no caption-all job is running/);
  delayMs = 150;
});

test('--rate spaces the captions out', async () => {
  delayMs = 0;
  requestTimes.length = 0;
  const run = await cli(['caption-all', '--captioner', 'llava', '--prompt', 'retail', '--rate', '5/s']).done;
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`^done: ${imageCount} captioned`));
  // 8 captions at 5 a second: the last starts 7 × 200 ms after the first. Times are taken where the
  // server receives each request, so one interval of slack covers a slow first connection on a
  // loaded machine; without the limit all 8 arrive within a few milliseconds.
  const span = requestTimes[requestTimes.length - 1] - requestTimes[0];
  assert.equal(requestTimes.length, imageCount);
  assert.ok(span >= 6 * 200, `8 captions within ${span.toFixed(0)} ms`);
  const bad = await cli(['caption-all', '--rate', 'fast']).done;
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--rate: a rate is a number of captions per second/);
  delayMs = 150;
});
