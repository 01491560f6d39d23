// The chat web app end to end in a real headless Chromium, on a small scene world indexed with the
// built-in model: search, mark, draw a box and see its caption, edit it, refine, watch the chosen
// scene move up, reload and restart the server and find the session again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../engine/config/load-config.ts';
import { openToolContext, type OpenedToolContext } from '../tools/context.ts';
import { createWebRoutes } from '../server/web-routes.ts';
import { startServer, type RunningServer } from './helpers/http-server.ts';
import { makeWorldLibrary, type WorldLibrary } from './helpers/mcp-world-library.ts';
import { colourShapePhrase } from '../engine/world/captions.ts';

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
let staticDir: string;
let buildRoot: string;

async function startApp(): Promise<void> {
  ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
  server = await startServer(ctx, { extraRoutes: (c) => createWebRoutes(c, { agent: { mode: 'deterministic' } }), staticDir });
}

async function stopApp(): Promise<void> {
  await server?.close();
  await ctx?.close();
}

before(async () => {
  if (skip) return;
  mkdirSync(shots, { recursive: true });
  buildRoot = mkdtempSync(join(tmpdir(), 'visualref-web-'));
  staticDir = join(buildRoot, 'dist');
  await build({ configFile: join(repoRoot, 'web', 'vite.config.ts'), logLevel: 'warn', build: { outDir: staticDir, emptyOutDir: true } });
  lib = await makeWorldLibrary(200);
  await startApp();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await stopApp();
  lib?.remove();
  if (buildRoot) rmSync(buildRoot, { recursive: true, force: true });
});

/** Ids of the grid of a turn, in rank order. */
async function gridIds(page: Page, turn: number): Promise<number[]> {
  const cards = page.locator(`[data-testid=result-grid][data-turn="${turn}"] [data-testid=result-card]`);
  return (await cards.evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.imageId))));
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(shots, name) });
}

test('search, mark, box, caption, refine, reload, restart', { skip, timeout: 300_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));

  // A scene of the world, described by its first caption, is the query.
  const query = lib.world.images[17].sentences[0].raw;
  await page.goto(server.url);
  await page.getByTestId('library-status').waitFor();
  assert.match(await page.getByTestId('library-status').innerText(), /200 images/);
  assert.match(await page.getByTestId('agent-mode').innerText(), /deterministic/);
  await shot(page, '01-start.png');

  await page.getByTestId('composer-input').fill(query);
  await page.getByTestId('composer-input').press('Enter');
  await page.locator('[data-testid=result-grid][data-turn="1"]').waitFor();
  const first = await gridIds(page, 1);
  assert.equal(first.length, 12);
  await shot(page, '02-search.png');

  // The test's target: the result ranked 6th. It is marked relevant and one of its objects boxed;
  // the two results above it that are not it are marked irrelevant.
  const targetRank = 6;
  const target = first[targetRank - 1];
  const fileOf = new Map([...lib.idOf].map(([file, id]) => [id, file]));
  const scene = lib.world.images.find((image) => image.filename === fileOf.get(target));
  assert.ok(scene, `scene of image ${target}`);
  const object = [...scene.objects].sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3])[0];

  const card = (id: number) => page.locator(`[data-testid=result-grid][data-turn="1"] [data-testid=result-card][data-image-id="${id}"]`);
  await card(target).getByTestId('mark-relevant').click();
  await card(first[0]).getByTestId('mark-irrelevant').click();
  await card(first[1]).getByTestId('mark-irrelevant').click();

  await card(target).getByTestId('open-large').click();
  const canvas = page.getByTestId('box-canvas');
  await canvas.waitFor();
  await page.locator('dialog img').evaluate((img: HTMLImageElement) => img.decode());
  const frame = (await canvas.boundingBox())!;
  const scale = frame.width / 224;
  const [bx, by, bw, bh] = object.box;
  await page.mouse.move(frame.x + (bx - 2) * scale, frame.y + (by - 2) * scale);
  await page.mouse.down();
  await page.mouse.move(frame.x + (bx + bw / 2) * scale, frame.y + (by + bh / 2) * scale, { steps: 4 });
  await page.mouse.move(frame.x + (bx + bw + 2) * scale, frame.y + (by + bh + 2) * scale, { steps: 4 });
  await page.mouse.up();
  const caption = page.getByTestId('box-caption');
  await page.locator('[data-testid=box-caption][data-caption-state=done]').waitFor({ timeout: 60_000 });
  const automatic = await caption.inputValue();
  assert.ok(automatic.length > 0, 'the box got a caption from caption-region');
  await shot(page, '03-box-captioned.png');

  // A second box, removed with the keyboard: focus it, move it with an arrow key, Delete.
  await page.getByRole('button', { name: /Add a box in the middle/ }).click();
  assert.equal(await page.getByTestId('box').count(), 2);
  const second = page.getByTestId('box').nth(1);
  await second.focus();
  const before = await page.getByTestId('box-item').nth(1).innerText();
  await page.keyboard.press('ArrowRight');
  assert.notEqual(await page.getByTestId('box-item').nth(1).innerText(), before, 'arrow key moved the box');
  await page.keyboard.press('Delete');
  assert.equal(await page.getByTestId('box').count(), 1);

  const edited = `${object.pattern} ${colourShapePhrase(object.colour, object.shape).replace(/^an? /, '')}`;
  await caption.fill(edited);
  await shot(page, '04-caption-edited.png');
  await page.keyboard.press('Escape');
  await canvas.waitFor({ state: 'detached' });

  await page.getByTestId('composer-input').fill(`more ${object.pattern} ${object.shape}s`);
  const started = performance.now();
  await page.getByTestId('refine-button').click();
  await page.locator('[data-testid=result-grid][data-turn="2"]').waitFor({ timeout: 120_000 });
  const refineMs = Math.round(performance.now() - started);
  console.log(`refine → new grid in the browser: ${refineMs} ms`);
  const refined = await gridIds(page, 2);
  await shot(page, '05-refined.png');

  assert.notDeepEqual(refined, first, 'the ranking changed');
  const newRank = refined.indexOf(target) + 1;
  console.log(`target image ${target} (${edited}): rank ${targetRank} → ${newRank || 'gone'}; box caption "${automatic}" edited to "${edited}"`);
  assert.ok(newRank >= 1 && newRank < targetRank, `target ${target} moved up from ${targetRank} (now ${newRank || 'gone'})`);
  const explanation = await page.getByTestId('explanation').innerText();
  console.log(`explanation: ${explanation.replace(/\s+/g, ' ')}`);
  assert.match(explanation, /regions/);
  assert.ok(explanation.includes(edited), 'the edited caption is shown as applied');
  assert.ok((await page.locator('[data-turn="2"] [data-testid=movement]').count()) > 0, 'moves are shown');

  // Reload: the thread comes back from the server.
  const sessionUrl = page.url();
  assert.match(sessionUrl, /#session=/);
  await page.reload();
  await page.locator('[data-testid=result-grid][data-turn="2"]').waitFor();
  assert.deepEqual(await gridIds(page, 2), refined);
  assert.deepEqual(await gridIds(page, 1), first);
  await shot(page, '06-reloaded.png');

  // Server restart: a new process state over the same data directory still has the session.
  await stopApp();
  await startApp();
  const sessionId = decodeURIComponent(sessionUrl.split('#session=')[1]);
  await page.goto(`${server.url}/#session=${encodeURIComponent(sessionId)}`);
  await page.locator('[data-testid=result-grid][data-turn="2"]').waitFor();
  assert.deepEqual(await gridIds(page, 2), refined);
  await page.getByTestId('open-sessions').click();
  await page.getByTestId('sessions-panel').getByRole('button').first().waitFor();
  await shot(page, '07-sessions-after-restart.png');
  await page.keyboard.press('Escape');

  const exported = (await (await fetch(`${server.url}/api/sessions/${encodeURIComponent(sessionId)}/export`)).json()) as { turns: unknown[] };
  assert.equal(exported.turns.length, 2);
  assert.deepEqual(pageErrors, []);
  await page.close();
});

test('settings change the result count; an uploaded image and "more like this" search by example', { skip, timeout: 120_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(server.url);
  await page.getByTestId('new-search').click();

  await page.getByTestId('open-settings').click();
  const results = page.getByTestId('settings-panel').getByLabel('Results per turn');
  await results.fill('8');
  await shot(page, '08-settings.png');
  await page.keyboard.press('Escape');
  await page.getByTestId('settings-panel').waitFor({ state: 'detached' });

  // Upload a scene of the library: it comes back first, among 8 results.
  const scene = lib.world.images[42];
  await page.getByTestId('file-input').setInputFiles(join(lib.worldDir, scene.filename));
  await page.getByTestId('search-button').click();
  await page.locator('[data-testid=result-grid][data-turn="1"]').waitFor();
  const uploaded = await gridIds(page, 1);
  assert.equal(uploaded.length, 8);
  assert.equal(uploaded[0], lib.idOf.get(scene.filename));
  await shot(page, '09-uploaded-image.png');

  // "More like this" on the third result continues the session with that image as the query.
  const third = uploaded[2];
  await page.locator(`[data-testid=result-grid][data-turn="1"] [data-testid=result-card][data-image-id="${third}"]`).getByTestId('more-like-this').click();
  await page.locator('[data-testid=result-grid][data-turn="2"]').waitFor();
  assert.equal((await gridIds(page, 2))[0], third);
  await shot(page, '10-more-like-this.png');

  // An image dropped on the page is attached to the next search.
  const dropped = lib.world.images[11];
  const dataTransfer = await page.evaluateHandle((b64) => {
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
    return transfer;
  }, readFileSync(join(lib.worldDir, dropped.filename)).toString('base64'));
  await page.dispatchEvent('main', 'drop', { dataTransfer });
  await page.getByAltText('Image to search with').waitFor();
  await page.getByTestId('search-button').click();
  await page.locator('[data-testid=result-grid][data-turn="1"]').waitFor();
  assert.equal((await gridIds(page, 1))[0], lib.idOf.get(dropped.filename));
  assert.deepEqual(pageErrors, []);
  await page.close();
});
