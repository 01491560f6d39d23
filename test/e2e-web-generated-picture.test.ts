// Generative visual feedback in the chat web app, in a real headless Chromium on a small indexed
// world: with "draw what I think you are looking for" on, the search and each refine turn show the
// world painter's picture in the thread; the user drags a box on it, and the next refine applies it,
// lists it with the other applied boxes (a crop of the picture), and stops applying it once removed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { chromium, type Browser } from 'playwright-core';
import { repoRoot } from '../engine/config/load-config.ts';
import { openToolContext, type OpenedToolContext } from '../tools/context.ts';
import { createWebRoutes } from '../server/web-routes.ts';
import { startServer, type RunningServer } from './helpers/http-server.ts';
import { makeWorldLibrary, type WorldLibrary } from './helpers/mcp-world-library.ts';

const shots = join(repoRoot, 'test', 'output', 'screenshots');

function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
  }
}

const chromiumPath = findChromium();
const skip = chromiumPath ? false : 'Chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH): end-to-end web test skipped';

let lib: WorldLibrary;
let ctx: OpenedToolContext;
let server: RunningServer;
let browser: Browser;
let buildRoot: string;

before(async () => {
  if (skip) return;
  mkdirSync(shots, { recursive: true });
  buildRoot = mkdtempSync(join(tmpdir(), 'visualref-web-'));
  const staticDir = join(buildRoot, 'dist');
  await build({ configFile: join(repoRoot, 'web', 'vite.config.ts'), logLevel: 'warn', build: { outDir: staticDir, emptyOutDir: true } });
  lib = await makeWorldLibrary(60);
  ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
  server = await startServer(ctx, { extraRoutes: (c) => createWebRoutes(c, { agent: { mode: 'deterministic' } }), staticDir });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
  await ctx?.close();
  lib?.remove();
  if (buildRoot) rmSync(buildRoot, { recursive: true, force: true });
});

test('the generated picture shows in the thread, takes a box, the next refine applies and lists it, and a removal stops it', { skip, timeout: 300_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // The setting is the user's, kept in localStorage as the settings panel keeps it.
  await page.addInitScript(() => localStorage.setItem('visualref.settings', JSON.stringify({ visualize: true })));
  await page.goto(server.url);
  await page.getByTestId('library-status').waitFor();
  await page.getByTestId('open-settings').click();
  assert.equal(await page.getByTestId('setting-visualize').isChecked(), true);
  await page.keyboard.press('Escape');

  await page.getByTestId('composer-input').fill('a red circle');
  await page.getByTestId('composer-input').press('Enter');
  await page.locator('[data-testid=result-grid][data-turn="1"]').waitFor({ timeout: 120_000 });
  await page.locator('[data-testid=generated-picture][data-picture-id="g1"]').waitFor();
  assert.match(await page.getByTestId('generated-picture').innerText(), /background not given: drawn plain/);

  // Words after results are a new search unless the composer is switched to refining.
  await page.getByTestId('mode-refine').click();
  await page.getByTestId('composer-input').fill('the circle should be large, on the grass');
  await page.getByTestId('refine-button').click();
  await page.locator('[data-testid=result-grid][data-turn="2"]').waitFor({ timeout: 120_000 });
  const figure = page.locator('[data-testid=generated-picture][data-picture-id="g2"]');
  await figure.waitFor();
  assert.match(await figure.innerText(), /What I think you are looking for/);
  assert.match(await figure.innerText(), /from “a red circle, the circle should be large, on the grass”/);
  const img = figure.locator('img');
  await img.evaluate((el: HTMLImageElement) => el.decode());
  assert.equal(await img.evaluate((el: HTMLImageElement) => el.naturalWidth), 224, 'the picture was served');

  // The painter draws the one large circle in the middle: box it.
  await figure.scrollIntoViewIfNeeded();
  const area = (await figure.getByTestId('picture-canvas').boundingBox())!;
  await page.mouse.move(area.x + area.width * 0.25, area.y + area.height * 0.25);
  await page.mouse.down();
  await page.mouse.move(area.x + area.width * 0.5, area.y + area.height * 0.5, { steps: 4 });
  await page.mouse.move(area.x + area.width * 0.75, area.y + area.height * 0.75, { steps: 4 });
  await page.mouse.up();
  assert.equal(await page.getByTestId('picture-box').count(), 1);
  assert.equal(await page.getByTestId('picture-box').getAttribute('data-relevant'), 'true');
  await page.screenshot({ path: join(shots, 'generated-picture-boxed.png') });

  await page.getByTestId('refine-button').click();
  await page.locator('[data-testid=result-grid][data-turn="3"]').waitFor({ timeout: 120_000 });
  const explanations = page.getByTestId('explanation');
  assert.match(await explanations.last().innerText(), /region of picture g2/);
  assert.equal(await page.locator('[data-testid=generated-picture][data-picture-id="g3"]').count(), 1, 'the next turn draws again');
  assert.equal(await page.getByTestId('picture-box').count(), 0, 'the box went with the turn');
  // A reload rebuilds the thread from the session: the refine turns' pictures are still there.
  await page.reload();
  await page.locator('[data-testid=result-grid][data-turn="3"]').waitFor({ timeout: 120_000 });
  assert.equal(await page.locator('[data-testid=generated-picture][data-picture-id="g3"]').count(), 1);

  // Listed with the boxes applied at every refine, cropped out of the picture: the box is half the
  // 224 px picture's side, so the picture is drawn at 224 × 40/112 = 80 px to fill the 40 px square.
  const applied = page.getByTestId('applied-box');
  assert.equal(await applied.count(), 1);
  assert.equal(await applied.getAttribute('data-picture-id'), 'g2');
  const crop = applied.locator('img');
  assert.match((await crop.getAttribute('src')) ?? '', /\/api\/sessions\/[^/]+\/pictures\/g2$/);
  // The box starts a quarter in (56 px): its left edge lands on the square's, at -56 × 40/112 = -20 px.
  await page.waitForFunction(() => document.querySelector<HTMLImageElement>('[data-testid=applied-box] img')?.style.width === '80px');
  assert.deepEqual(await crop.evaluate((el: HTMLImageElement) => [el.style.left, el.style.top, el.style.height]), ['-20px', '-20px', '80px']);
  await applied.getByTestId('remove-applied-box').click();
  assert.equal(await applied.getAttribute('data-removed'), 'true');
  await page.screenshot({ path: join(shots, 'generated-picture-box-removed.png') });
  await page.getByTestId('refine-button').click();
  await page.locator('[data-testid=result-grid][data-turn="4"]').waitFor({ timeout: 120_000 });
  const last = await explanations.last().innerText();
  assert.doesNotMatch(last, /region of picture g2/, 'the removed box is not applied');
  assert.match(await page.getByTestId('user-message').last().innerText(), /1 earlier box removed/);
  const stored = await page.evaluate(async () => {
    const id = localStorage.getItem('visualref.session')!;
    return ((await (await fetch(`/api/sessions/${id}`)).json()) as { session: { turns: { explanation: { summary: string } | null; feedback: { removedRegions?: string[] } | null }[] } }).session;
  });
  assert.match(stored.turns[3].explanation?.summary ?? '', /Stopped applying 1 box of earlier turns\./);
  assert.equal(stored.turns[3].feedback?.removedRegions?.length, 1, 'the removal is stored with the turn');
  assert.equal(await applied.count(), 0, 'no box is listed any more');
  await page.reload();
  await page.locator('[data-testid=result-grid][data-turn="4"]').waitFor({ timeout: 120_000 });
  assert.equal(await page.getByTestId('applied-box').count(), 0, 'still removed after a reload');
  assert.deepEqual(pageErrors, []);
});
