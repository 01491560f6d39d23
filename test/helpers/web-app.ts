// The chat web app for browser tests: the built bundle, a world library, a server on it and a
// headless Chromium (skipped, with the reason, where Chromium is not installed).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../../engine/config/load-config.ts';
import { openToolContext, type OpenedToolContext } from '../../tools/context.ts';
import { createWebRoutes } from '../../server/web-routes.ts';
import { startServer, type RunningServer } from './http-server.ts';
import { makeWorldLibrary, type WorldLibrary } from './mcp-world-library.ts';
import { Library } from '../../engine/library/library.ts';
import { indexLibraryRegions } from '../../engine/regions/library-regions.ts';

export const screenshotDir = join(repoRoot, 'test', 'output', 'screenshots');

function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
  }
}

const chromiumPath = findChromium();
export const skipWithoutChromium = chromiumPath ? false : 'Chromium not found (apt-get install -y chromium, or set CHROMIUM_PATH): browser test skipped';

export interface WebApp {
  lib: WorldLibrary;
  server: RunningServer;
  browser: Browser;
  close(): Promise<void>;
}

/** @param regions build the region index too, so that "matched here" boxes fall on parts of images. */
export async function startWebApp(images: number, options: { regions?: boolean } = {}): Promise<WebApp> {
  mkdirSync(screenshotDir, { recursive: true });
  const buildRoot = mkdtempSync(join(tmpdir(), 'visualref-web-'));
  const staticDir = join(buildRoot, 'dist');
  await build({ configFile: join(repoRoot, 'web', 'vite.config.ts'), logLevel: 'warn', build: { outDir: staticDir, emptyOutDir: true } });
  const lib = await makeWorldLibrary(images);
  if (options.regions) {
    const library = await Library.open({ dataDir: lib.dataDir, model: lib.model });
    try {
      await indexLibraryRegions(library);
    } finally {
      await library.close();
    }
  }
  const ctx: OpenedToolContext = await openToolContext({ dataDir: lib.dataDir, model: lib.model });
  const server = await startServer(ctx, { extraRoutes: (c) => createWebRoutes(c, { agent: { mode: 'deterministic' } }), staticDir });
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    lib,
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
      await ctx.close();
      lib.remove();
      rmSync(buildRoot, { recursive: true, force: true });
    },
  };
}

/** Ids of the grid of a turn, in rank order. */
export async function gridIds(page: Page, turn: number): Promise<number[]> {
  const cards = page.locator(`[data-testid=result-grid][data-turn="${turn}"] [data-testid=result-card]`);
  return cards.evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.imageId)));
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir, name) });
}
