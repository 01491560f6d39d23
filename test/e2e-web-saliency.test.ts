// "What the summarizer looked at" in the chat web app, in a real headless Chromium on a small indexed
// world: the user switches the attentive summarizer on in the settings, marks two results relevant and
// refines; the turn shows both images with the summarizer's attention as a heat overlay, which a
// button hides and shows again.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { needsBuiltinModel } from './helpers/mcp-world-library.ts';
import { gridIds, shot, skipWithoutChromium, startWebApp, type WebApp } from './helpers/web-app.ts';

const skip = skipWithoutChromium || needsBuiltinModel;
let app: WebApp;

before(async () => {
  if (!skip) app = await startWebApp(40);
});

after(async () => {
  await app?.close();
});

test('afs on, two results marked, refine: both show a heat map of the attention, and it toggles', { skip, timeout: 300_000 }, async () => {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.server.url);
  await page.getByTestId('library-status').waitFor();
  await page.getByTestId('open-settings').click();
  const afs = page.locator('#source-afs');
  assert.equal(await afs.isChecked(), false, 'the summarizer runs only on request');
  await afs.check();
  await page.keyboard.press('Escape');

  await page.getByTestId('composer-input').fill(app.lib.world.images[3].sentences[0].raw);
  await page.getByTestId('composer-input').press('Enter');
  const first = page.locator('[data-testid=result-grid][data-turn="1"]');
  await first.waitFor({ timeout: 120_000 });
  const ids = await gridIds(page, 1);
  for (const id of ids.slice(0, 2)) await first.locator(`[data-testid=result-card][data-image-id="${id}"] [data-testid=mark-relevant]`).click();
  await page.getByTestId('mode-refine').click();
  await page.getByTestId('refine-button').click();
  await page.locator('[data-testid=result-grid][data-turn="2"]').waitFor({ timeout: 120_000 });

  assert.match(await page.getByTestId('explanation').last().innerText(), /\bafs\b/);
  const maps = page.getByTestId('saliency-maps');
  await maps.scrollIntoViewIfNeeded();
  const items = maps.getByTestId('saliency-item');
  assert.deepEqual(await items.evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.imageId))), ids.slice(0, 2), 'the images marked relevant');
  const shares = (await items.allInnerTexts()).map((t) => Number(/(\d+)% of the attention/.exec(t)?.[1]));
  assert.ok(Math.abs(shares[0] + shares[1] - 100) <= 1, `the two images share all the attention (${shares.join(' + ')} %)`);

  // One pixel per patch (the built-in model's 4 x 4 grid); the most looked-at patch is opaque red, the
  // least looked-at one clear, so the overlay shows where, not just that.
  const heat = maps.getByTestId('saliency-heat');
  assert.equal(await heat.count(), 2);
  for (const canvas of await heat.all()) {
    const pixels = await canvas.evaluate((el: HTMLCanvasElement) => [...el.getContext('2d')!.getImageData(0, 0, el.width, el.height).data]);
    assert.equal(pixels.length, 4 * 16);
    const alphas = pixels.filter((_, i) => i % 4 === 3);
    const hottest = alphas.indexOf(Math.max(...alphas));
    assert.deepEqual(pixels.slice(hottest * 4, hottest * 4 + 4), [255, 0, 0, 170], 'the top patch: red, most opaque');
    assert.equal(Math.min(...alphas), 0, 'the least looked-at patch: clear');
    const box = (await canvas.boundingBox())!;
    assert.ok(box.width > 60 && Math.abs(box.width - box.height) < 1, `the heat covers the square thumbnail (${box.width} x ${box.height})`);
  }
  await shot(page, 'afs-saliency.png');

  const toggle = maps.getByTestId('saliency-toggle');
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-pressed'), 'false');
  assert.equal(await heat.count(), 0, 'hidden');
  assert.equal(await maps.locator('img').count(), 2, 'the images stay');
  await toggle.click();
  assert.equal(await heat.count(), 2, 'shown again');
  assert.deepEqual(pageErrors, []);
});
