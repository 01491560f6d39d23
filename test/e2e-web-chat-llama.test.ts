// The chat web app in a real headless Chromium with the llama agent on the tiny GGUF model
// (models/tiny-chat): the agent's search call and its results appear as the usual result grid, and
// the status bar names the model.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { chromium, type Browser } from 'playwright-core';
import { repoRoot } from '../engine/config/load-config.ts';
import { openToolContext, type OpenedToolContext } from '../tools/context.ts';
import { createWebRoutes } from '../server/web-routes.ts';
import { llamaConfigSchema } from '../agent/chat/llama-config.ts';
import { unloadLlamas } from '../agent/chat/llama-runtime.ts';
import { tinyModelPath } from '../engine/llm/build-tiny-gguf.ts';
import { startServer, type RunningServer } from './helpers/http-server.ts';
import { makeWorldLibrary, type WorldLibrary } from './helpers/mcp-world-library.ts';

function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
  }
}

const chromiumPath = findChromium();
const gguf = tinyModelPath('functionary');
const skip = !chromiumPath
  ? 'Chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH): end-to-end web test skipped'
  : existsSync(gguf) ? false : 'the tiny GGUF model is missing: run npm run build:tiny-gguf';

let lib: WorldLibrary;
let ctx: OpenedToolContext;
let server: RunningServer;
let browser: Browser;
let buildRoot: string;

before(async () => {
  if (skip) return;
  buildRoot = mkdtempSync(join(tmpdir(), 'visualref-web-llama-'));
  const staticDir = join(buildRoot, 'dist');
  await build({ configFile: join(repoRoot, 'web', 'vite.config.ts'), logLevel: 'warn', build: { outDir: staticDir, emptyOutDir: true } });
  lib = await makeWorldLibrary(20);
  ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
  const agent = { mode: 'llama' as const, llama: llamaConfigSchema.parse({ gguf, threads: 1, maxSteps: 2, maxTokens: 256 }) };
  server = await startServer(ctx, { extraRoutes: (c) => createWebRoutes(c, { agent }), staticDir });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await unloadLlamas();
  await ctx?.close();
  lib?.remove();
  if (buildRoot) rmSync(buildRoot, { recursive: true, force: true });
});

test('the llama agent searches from the web app; its results show as the result grid', { skip, timeout: 300_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(server.url);
  await page.getByTestId('library-status').waitFor();
  assert.match(await page.getByTestId('agent-mode').innerText(), /llama functionary-tiny-random\.gguf/);

  await page.getByTestId('composer-input').fill('red circles on grass');
  await page.getByTestId('composer-input').press('Enter');
  await page.locator('[data-testid=result-grid][data-turn="1"]').waitFor({ timeout: 120_000 });
  const cards = page.locator('[data-testid=result-grid][data-turn="1"] [data-testid=result-card]');
  assert.equal(await cards.count(), 12);
  const ids = await cards.evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.imageId)));
  // The answer's footer names the agent once the turn has finished; the page then follows its session.
  await page.getByTestId('assistant-message').getByText(/llama functionary-tiny-random\.gguf/).waitFor({ timeout: 120_000 });
  await page.waitForURL(/#session=/);
  const sessionId = decodeURIComponent(page.url().split('#session=')[1]);
  assert.deepEqual(ids, ctx.sessions.turns(sessionId)[0].results.map((r) => r.id));
  assert.deepEqual(pageErrors, []);
  await page.close();
});
