// The MCP Apps view in a real headless Chromium: the extension's own host-side bridge
// (test/helpers/mcp-app-host/host.ts) loads our ui:// view into a sandboxed iframe, connected through
// the MCP SDK client to the server's /mcp over Streamable HTTP. search → mark a result irrelevant →
// box a part of another → its caption appears → Refine through the host → the grid updates in place
// and the target moves up. Bad input from the view is answered in the view, the session goes on.
// Also: what a host with and without the extension sees in tools/list and resources.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Rollup } from 'vite';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { RESOURCE_MIME_TYPE } from '@modelcontextprotocol/ext-apps/server';
import { repoRoot } from '../engine/config/load-config.ts';
import { openToolContext, type OpenedToolContext } from '../tools/context.ts';
import { resultsViewUri } from '../tools/contract/tools.ts';
import type { SearchOutput } from '../tools/contract/schemas.ts';
import { resultsViewFile } from '../mcp-server/results-view.ts';
import { cliPath, httpClient } from './helpers/mcp-client.ts';
import { startServer, type RunningServer } from './helpers/http-server.ts';
import { makeWorldLibrary, needsBuiltinModel, type WorldLibrary } from './helpers/mcp-world-library.ts';

const shots = join(repoRoot, 'test', 'output', 'screenshots');

function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
  }
}

/** The 1-minute load average beside each figure: timings on a shared machine mean little without it. */
const load = () => (existsSync('/proc/loadavg') ? `load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}` : 'load n/a');

const chromiumPath = findChromium();
const noChromium = chromiumPath ? false : 'Chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH): MCP Apps view test skipped';

let lib: WorldLibrary;
let ctx: OpenedToolContext;
let server: RunningServer;
let browser: Browser | undefined;
let hostScript: string;

before(async () => {
  await build({ configFile: join(repoRoot, 'web', 'mcp-app', 'vite.config.ts'), logLevel: 'warn' });
  lib = await makeWorldLibrary(200);
  ctx = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
  server = await startServer(ctx);
  if (noChromium) return;
  mkdirSync(shots, { recursive: true });
  const bundled = (await build({
    configFile: false,
    logLevel: 'warn',
    build: { write: false, minify: false, lib: { entry: join(repoRoot, 'test', 'helpers', 'mcp-app-host', 'host.ts'), formats: ['es'], fileName: 'host' } },
  })) as Rollup.RollupOutput[];
  hostScript = bundled[0].output[0].code;
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
});

const uiCapabilities = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: [RESOURCE_MIME_TYPE] } } };

test('a host with the MCP Apps extension sees the view on search and refine-query and can read it; one without sees no change', async () => {
  const appHost = new Client({ name: 'apps host', version: '1' }, { capabilities: uiCapabilities });
  await appHost.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
  const plain = await httpClient(`${server.url}/mcp`);
  try {
    const withView = (await appHost.listTools()).tools;
    const meta = Object.fromEntries(withView.map((t) => [t.name, t._meta]));
    assert.deepEqual(meta.search, { ui: { resourceUri: resultsViewUri }, 'ui/resourceUri': resultsViewUri });
    assert.deepEqual(meta['refine-query'], meta.search);
    assert.equal(meta['caption-region'], undefined);

    const read = await appHost.readResource({ uri: resultsViewUri });
    const html = read.contents[0] as unknown as { mimeType: string; text: string; _meta: { ui: { csp: Record<string, string[]> } } };
    assert.equal(html.mimeType, RESOURCE_MIME_TYPE);
    assert.match(html.text, /^<!doctype html>/i);
    assert.deepEqual(html._meta.ui.csp, { connectDomains: [], resourceDomains: [] });
    const bytes = Buffer.byteLength(html.text);
    assert.ok(bytes < 1024 * 1024, `the view is ${bytes} bytes, over 1 MiB`);
    assert.doesNotMatch(html.text, /<script[^>]+src=|<link[^>]+href=/, 'no script or stylesheet is fetched');
    console.log(`view ${resultsViewUri}: ${bytes} bytes (${(bytes / 1024).toFixed(0)} KiB); file ${statSync(resultsViewFile).size} bytes`);

    const plainTools = (await plain.listTools()).tools;
    assert.deepEqual(
      plainTools.map((t) => t._meta),
      plainTools.map(() => undefined),
      'no _meta for a host without the extension',
    );
    const plainResources = (await plain.listResources()).resources.map((r) => r.uri);
    assert.ok(!plainResources.some((uri) => uri.startsWith('ui://')), 'no ui:// resource listed');
    await assert.rejects(plain.readResource({ uri: resultsViewUri }));
    const result = (await plain.callTool({ name: 'search', arguments: { text: 'a red circle', k: 4 } })) as CallToolResult;
    assert.deepEqual(
      result.content.map((c) => c.type),
      ['text', 'image', 'resource_link', 'image', 'resource_link', 'image', 'resource_link', 'image', 'resource_link'],
    );
  } finally {
    await appHost.close();
    await plain.close();
  }
});

test('over stdio too, a host that announces the extension gets the view', { timeout: 120_000 }, async () => {
  const appHost = new Client({ name: 'apps host', version: '1' }, { capabilities: uiCapabilities });
  await appHost.connect(
    new StdioClientTransport({ command: process.execPath, args: [cliPath, 'mcp', '--data', lib.dataDir, '--model', lib.model], cwd: repoRoot, stderr: 'ignore' }),
  );
  try {
    const tools = (await appHost.listTools()).tools;
    assert.equal(getToolUri(tools, 'refine-query'), resultsViewUri);
    const read = await appHost.readResource({ uri: resultsViewUri });
    assert.equal(read.contents[0].mimeType, RESOURCE_MIME_TYPE);
  } finally {
    await appHost.close();
  }
});

function getToolUri(tools: { name: string; _meta?: Record<string, unknown> }[], name: string): unknown {
  return (tools.find((t) => t.name === name)?._meta?.ui as { resourceUri?: string } | undefined)?.resourceUri;
}

/** Ids of the view's grid at a turn, in rank order. */
async function gridIds(view: Frame, turn: number): Promise<number[]> {
  const cards = view.locator(`[data-testid=result-grid][data-turn="${turn}"] [data-testid=result-card]`);
  await cards.first().waitFor({ timeout: 120_000 });
  return cards.evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.imageId)));
}

async function openHost(page: Page): Promise<Frame> {
  // The host page is served on the server's origin, as a web host would be, so /mcp is same-origin.
  await page.route(`${server.url}/test-host.html`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html><body style="font-family: sans-serif; background: #f1f5f9; margin: 16px"><p>An MCP host's conversation</p><div id="conversation"></div><script type="module">${hostScript}</script></body></html>`,
    }),
  );
  await page.goto(`${server.url}/test-host.html`);
  await page.evaluate(async () => {
    await window.testHost;
  });
  const frame = page.frames().find((f) => f !== page.mainFrame());
  assert.ok(frame, 'the view is loaded in an iframe');
  return frame;
}

test('in a sandboxed iframe through the bridge: mark, box, caption, refine in place; bad input answered in the view', { skip: noChromium, timeout: 300_000 }, async () => {
  const page = await browser!.newPage({ viewport: { width: 1100, height: 1000 } });
  const pageErrors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  const view = await openHost(page);

  const query = lib.world.images[17].sentences[0].raw;
  const searchStarted = performance.now();
  const searched = (await page.evaluate(async (text) => (await window.testHost).search(text), query)) as CallToolResult;
  const first = await gridIds(view, 1);
  const searchMs = Math.round(performance.now() - searchStarted);
  assert.deepEqual(
    first,
    (searched.structuredContent as SearchOutput).results.map((r) => r.id),
  );
  assert.equal(first.length, 12);
  // Thumbnails came in the tool result or through image:// reads: every card shows a picture.
  await view.waitForFunction(() => [...document.querySelectorAll('[data-testid=result-card] img')].every((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0));

  const card = (id: number) => view.locator(`[data-testid=result-card][data-image-id="${id}"]`);
  const targetRank = 6;
  const target = first[targetRank - 1];
  const fileOf = new Map([...lib.idOf].map(([file, id]) => [id, file]));
  const scene = lib.world.images.find((image) => image.filename === fileOf.get(target));
  assert.ok(scene, `scene of image ${target}`);
  const object = [...scene.objects].sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3])[0];

  await card(first[0]).getByTestId('mark-irrelevant').click();
  await card(target).getByTestId('open-large').click();
  const canvas = view.getByTestId('box-canvas');
  await canvas.waitFor();
  // The large view swaps the thumbnail for the original once the host has read image://{id}; a decode
  // that the swap interrupts rejects, so it is awaited again until the image in place is decoded.
  await view.locator('dialog img').evaluate(async (img: HTMLImageElement) => {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        return await img.decode();
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(`the large view's image never decoded (${img.src.slice(0, 40)})`);
  });
  const frame = (await canvas.boundingBox())!;
  const scale = frame.width / (searched.structuredContent as SearchOutput).results[targetRank - 1].width;
  const [bx, by, bw, bh] = object.box;
  await page.mouse.move(frame.x + (bx - 2) * scale, frame.y + (by - 2) * scale);
  await page.mouse.down();
  await page.mouse.move(frame.x + (bx + bw / 2) * scale, frame.y + (by + bh / 2) * scale, { steps: 4 });
  await page.mouse.move(frame.x + (bx + bw + 2) * scale, frame.y + (by + bh + 2) * scale, { steps: 4 });
  await page.mouse.up();
  await view.locator('[data-testid=box-caption][data-caption-state=done]').waitFor({ timeout: 60_000 });
  const caption = await view.getByTestId('box-caption').inputValue();
  assert.ok(caption.length > 0, 'the box got a caption from caption-region through the host');
  await page.screenshot({ path: join(shots, 'mcp-app-01-box.png') });
  await view.getByTestId('box-dialog-done').click();
  await canvas.waitFor({ state: 'detached' });
  await view.getByTestId('view-comment').fill(`more ${object.pattern} ${object.shape}s`);

  const refineStarted = performance.now();
  await view.getByTestId('view-refine').click();
  const refined = await gridIds(view, 2);
  const refineMs = Math.round(performance.now() - refineStarted);
  const viewMs = Number((await view.getByTestId('view-round-trip').innerText()).match(/(\d+) ms/)?.[1]);
  await view.waitForFunction(() => [...document.querySelectorAll('[data-testid=result-card] img')].every((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0));
  await page.screenshot({ path: join(shots, 'mcp-app-02-refined.png'), fullPage: true });
  const newRank = refined.indexOf(target) + 1;
  console.log(`search through the host → grid: ${searchMs} ms; refine click → new grid: ${refineMs} ms (refine-query through the bridge: ${viewMs} ms); ${load()}`);
  console.log(`target ${target} ("${caption}"): rank ${targetRank} → ${newRank || 'gone'}`);
  assert.ok(newRank >= 1 && newRank < targetRank, `target ${target} moved up from ${targetRank} (now ${newRank || 'gone'})`);
  assert.equal(await view.getByTestId('result-grid').count(), 1, 'the grid is updated in place');
  assert.ok((await view.getByTestId('movement').count()) > 0, 'moves are shown');
  assert.match(await view.getByTestId('explanation').innerText(), /regions/);
  assert.ok((await view.locator(`[data-testid=result-card][data-image-id="${target}"] [data-matched-region]`).count()) > 0, '"matched here" is drawn on the target');

  const told = await page.evaluate(async () => (await window.testHost).contextUpdates);
  assert.equal(told.length, 1);
  assert.match(told[0], new RegExp(`Marked irrelevant: images #${first[0]}\\.`));
  assert.match(told[0], new RegExp(`Boxed a wanted part of image #${target} .*"${caption.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));

  // Bad input: a tool result naming an image the library does not have. The view says so; a refine
  // and a box on it are refused with a clear message; the session goes on with good input.
  const sessionId = (searched.structuredContent as SearchOutput).sessionId;
  const ghost = 987_654;
  const stale = { sessionId, turn: 2, results: [{ id: ghost, score: 0.5, rank: 1, width: 224, height: 224 }, { id: refined[0], score: 0.4, rank: 2, width: 224, height: 224 }] };
  await page.evaluate(async (output) => (await window.testHost).sendToolResult({ content: [{ type: 'text', text: JSON.stringify(output) }], structuredContent: output }), stale);
  await view.locator(`[data-testid=result-card][data-image-id="${ghost}"]`).waitFor();
  await view.getByTestId('view-error').filter({ hasText: `image://${ghost}` }).waitFor();
  await card(ghost).getByTestId('open-large').click();
  await view.getByRole('button', { name: /Add a box in the middle/ }).click();
  await view.locator('[data-testid=box-caption][data-caption-state=error]').waitFor({ timeout: 60_000 });
  const captionError = await view.getByTestId('box-item').innerText();
  console.log(`box on an unknown image: ${captionError.replace(/\s+/g, ' ')}`);
  assert.match(captionError, new RegExp(`Caption failed: caption-region: .*${ghost}`));
  await view.getByTestId('box-dialog-done').click();
  await card(ghost).getByTestId('mark-relevant').click();
  await view.getByTestId('view-refine').click();
  await view.getByTestId('view-error').filter({ hasText: 'refine-query' }).waitFor({ timeout: 120_000 });
  const refused = await view.getByTestId('view-error').innerText();
  console.log(`refine with an unknown id: ${refused}`);
  assert.match(refused, new RegExp(String(ghost)));
  assert.equal(await view.getByTestId('results-view').getAttribute('data-turn'), '2', 'the view still shows the last good turn');

  await page.screenshot({ path: join(shots, 'mcp-app-03-bad-input.png'), fullPage: true });
  await card(ghost).getByTestId('mark-relevant').click();
  await card(ghost).getByTestId('open-large').click();
  await view.getByRole('button', { name: 'Delete box 1' }).click();
  await view.getByTestId('box-dialog-done').click();
  await card(refined[0]).getByTestId('mark-relevant').click();
  await view.getByTestId('view-refine').click();
  await view.locator('[data-testid=results-view][data-turn="3"]').waitFor({ timeout: 120_000 });
  assert.equal(await view.getByTestId('view-error').count(), 0);

  // The model refines with the attentive summarizer (the built-in model has one): the view shows
  // what it looked at in the previous top 5, as heat over each image, and hides it on request.
  if (!needsBuiltinModel) {
    const top5 = (await gridIds(view, 3)).slice(0, 5);
    await page.evaluate(async (id) => (await window.testHost).call('refine-query', { sessionId: id, weights: { afs: 0.1 } }), sessionId);
    await view.locator('[data-testid=results-view][data-turn="4"]').waitFor({ timeout: 120_000 });
    const maps = view.getByTestId('saliency-maps');
    assert.deepEqual(await maps.getByTestId('saliency-item').evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.imageId))), top5);
    assert.equal(await maps.getByTestId('saliency-heat').count(), 5);
    await view.waitForFunction(() => [...document.querySelectorAll('[data-testid=saliency-item] img')].every((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0));
    await maps.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, 'mcp-app-04-saliency.png'), fullPage: true });
    await maps.getByTestId('saliency-toggle').click();
    assert.equal(await maps.getByTestId('saliency-heat').count(), 0);
  }

  const origins = new Set(requests.filter((url) => /^https?:/.test(url)).map((url) => new URL(url).origin));
  assert.deepEqual([...origins], [server.url], `only the host page and /mcp were fetched: ${[...origins].join(', ')}`);
  assert.deepEqual(pageErrors, []);
  await page.close();
});
