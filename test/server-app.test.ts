// The Hono application as `visualref serve` runs it: the web app's files with client-side routes,
// the /api seam, /healthz, and the guards; then the real `visualref serve` process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { repoRoot } from '../engine/config/load-config.ts';
import { openToolContext, type OpenedToolContext, type ToolContext } from '../tools/context.ts';
import { cliPath } from './helpers/mcp-client.ts';
import { startServer, type RunningServer } from './helpers/http-server.ts';
import { makeWorldLibrary, type WorldLibrary } from './helpers/mcp-world-library.ts';

let lib: WorldLibrary;
let ctx: OpenedToolContext;
let server: RunningServer;
let webDir: string;

before(async () => {
  lib = await makeWorldLibrary(20);
  ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
  webDir = mkdtempSync(join(tmpdir(), 'visualref-web-'));
  mkdirSync(join(webDir, 'assets'));
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>visualref</title>');
  writeFileSync(join(webDir, 'assets', 'app.js'), 'console.log("app")');
  const api = (c: ToolContext): Hono => {
    const routes = new Hono();
    routes.get('/ping', (h) => h.json({ images: c.library.status().images }));
    return routes;
  };
  server = await startServer(ctx, { staticDir: webDir, extraRoutes: api, token: 'token-for-tests' });
});

after(async () => {
  await server?.close();
  await ctx?.close();
  lib?.remove();
  rmSync(webDir, { recursive: true, force: true });
});

const auth = { authorization: 'Bearer token-for-tests' };

test('the web app is served at /, its assets by path, and client-side routes get index.html', async () => {
  for (const path of ['/', '/sessions/abc']) {
    const res = await fetch(`${server.url}${path}`);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await res.text(), /<title>visualref/);
  }
  const js = await fetch(`${server.url}/assets/app.js`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
  const traversal = await fetch(`${server.url}/assets/%2e%2e/%2e%2e/package.json`);
  assert.doesNotMatch(await traversal.text(), /"name": "visualref"/);
});

test('/api carries the web routes behind the same guards, and unknown API paths are JSON 404s', async () => {
  const ok = await fetch(`${server.url}/api/ping`, { headers: auth });
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { images: 20 });
  assert.equal((await fetch(`${server.url}/api/ping`)).status, 401);
  assert.equal((await fetch(`${server.url}/api/ping`, { headers: { ...auth, origin: 'https://evil.example' } })).status, 403);
  const missing = await fetch(`${server.url}/api/nope`, { headers: auth });
  assert.equal(missing.status, 404);
  assert.match(((await missing.json()) as { error: string }).error, /no route GET \/api\/nope/);
});

test('opening /?token=<token> gives the browser a same-site cookie that /api accepts', async () => {
  const wrong = await fetch(`${server.url}/?token=nope`, { redirect: 'manual' });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers.get('set-cookie'), null);
  const right = await fetch(`${server.url}/sessions/abc?token=token-for-tests`, { redirect: 'manual' });
  assert.equal(right.status, 302);
  assert.equal(right.headers.get('location'), '/sessions/abc');
  const cookie = right.headers.get('set-cookie') ?? '';
  assert.match(cookie, /^visualref_token=token-for-tests;.*HttpOnly/i);
  assert.match(cookie, /SameSite=Strict/i);
  const api = await fetch(`${server.url}/api/ping`, { headers: { cookie: cookie.split(';')[0] } });
  assert.equal(api.status, 200);
  const forged = await fetch(`${server.url}/api/ping`, { headers: { cookie: 'visualref_token=guess' } });
  assert.equal(forged.status, 401);
});

test('without a built web app, / says how to build it', async () => {
  const bare = await startServer(ctx, { staticDir: join(webDir, 'missing') });
  try {
    const res = await fetch(`${bare.url}/`);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /npm run build:web/);
  } finally {
    await bare.close();
  }
});

test('visualref serve listens on 127.0.0.1, answers /healthz and stops cleanly on SIGTERM', async () => {
  const child = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--data', lib.dataDir, '--model', lib.model], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const deadline = Date.now() + 60_000;
  while (!/MCP (http:\/\/\S+)\/mcp/.test(stderr) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  const base = /MCP (http:\/\/\S+)\/mcp/.exec(stderr)?.[1];
  assert.ok(base, `no address in: ${stderr}`);
  assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
  const health = await fetch(`${base}/healthz`);
  assert.deepEqual(await health.json(), { ok: true, images: 20, mcpSessions: 0 });
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  assert.equal(stdout, '');
});
