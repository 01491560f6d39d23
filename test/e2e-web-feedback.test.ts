// The web app as a user meets it (issue 17), in a real headless Chromium: the composer's mode is
// explicit, "matched here" boxes are drawn and survive a reload, the viewer fits the window and
// gives focus back, a failed turn is retried without a duplicate, drafts survive a reload, and at
// phone size the grid has touch-sized targets, one tab stop, show-more and readable contrast; a
// session keeps its first query as title after "more like this", is renamed for good, lists the
// boxes of earlier turns and stops applying one the user removes; scrolling a grid loads more.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { lowContrastTexts } from './helpers/contrast.ts';
import { gridIds, shot, skipWithoutChromium as skip, startWebApp, type WebApp } from './helpers/web-app.ts';

let app: WebApp;

before(async () => {
  if (!skip) app = await startWebApp(60, { regions: true });
});

after(async () => {
  await app?.close();
});

const grid = (page: Page, turn: number) => page.locator(`[data-testid=result-grid][data-turn="${turn}"]`);
const card = (page: Page, turn: number, id: number) => grid(page, turn).locator(`[data-testid=result-card][data-image-id="${id}"]`);

async function searchFor(page: Page, text: string): Promise<void> {
  await page.getByTestId('composer-input').fill(text);
  await page.getByTestId('composer-input').press('Enter');
  await grid(page, 1).waitFor();
}

test('composer mode, viewer, matched-here boxes after a reload, retry without duplicates', { skip, timeout: 300_000 }, async () => {
  const context = await app.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.server.url);
  await searchFor(page, app.lib.world.images[5].sentences[0].raw);
  const composer = page.getByRole('form', { name: 'Compose the next turn' });

  // (1) With results and nothing marked, typed text is a new search; Refine is disabled until
  // something is pending.
  assert.equal(await composer.getAttribute('data-mode'), 'search');
  await page.getByTestId('mode-refine').click();
  assert.equal(await page.getByTestId('refine-button').isDisabled(), true, 'Refine is disabled with nothing pending');
  await page.getByTestId('mode-search').click();
  await searchFor(page, 'a yellow star on sand');
  assert.equal(await page.getByTestId('user-message').count(), 1, 'the second query started a new thread');
  assert.equal(await grid(page, 2).count(), 0, 'no refinement turn');
  assert.doesNotMatch(await page.getByTestId('user-message').innerText(), /Refine/);
  const first = await gridIds(page, 1);

  // (4) The viewer: fitted to the window, zoom, next, file details; a box added does not move the
  // image; closing gives focus back to the card of the image last shown.
  await card(page, 1, first[2]).getByTestId('open-large').click();
  const frame = page.getByTestId('viewer-frame');
  await page.locator('dialog img').evaluate((img: HTMLImageElement) => img.decode());
  const fitted = (await frame.boundingBox())!;
  assert.ok(fitted.height > 500, `a 224-px image fills the window (${Math.round(fitted.height)} px high)`);
  await page.getByTestId('viewer-zoom-in').click();
  assert.ok((await frame.boundingBox())!.width > fitted.width * 1.4, 'zoomed in');
  await page.getByTestId('viewer-fit').click();
  await page.getByTestId('viewer-next').click();
  await page.getByRole('dialog', { name: /^Result 4 of 12 · .+\.png$/ }).waitFor();
  assert.match(await page.getByTestId('image-filename').innerText(), /\.png$/);
  assert.ok(await page.getByTestId('open-original').getAttribute('href'));
  const before = (await frame.boundingBox())!;
  await page.getByRole('button', { name: /Add a box in the middle/ }).click();
  await page.getByRole('button', { name: /Add a box in the middle/ }).click();
  assert.deepEqual((await frame.boundingBox())!, before, 'adding boxes does not move the image');
  await page.getByTestId('box').nth(1).focus();
  await page.keyboard.press('Delete');
  await page.locator('[data-testid=box-caption][data-caption-state=done]').first().waitFor({ timeout: 60_000 });
  await shot(page, 'issue17-viewer.png');
  await page.keyboard.press('Escape');
  await page.getByTestId('viewer').waitFor({ state: 'detached' });
  const focused = await page.evaluate(() => ({ id: document.activeElement?.closest<HTMLElement>('[data-testid=result-card]')?.dataset.imageId, testid: (document.activeElement as HTMLElement).dataset.testid }));
  assert.deepEqual(focused, { id: String(first[3]), testid: 'open-large' }, 'focus is back on the card');

  // (1, 2) Marked results make the composer refine; the refined grid draws "matched here" boxes.
  await card(page, 1, first[3]).getByTestId('mark-relevant').click();
  assert.equal(await composer.getAttribute('data-mode'), 'refine');
  await page.getByTestId('composer-input').fill('more like this one');
  assert.match(await page.getByTestId('search-instead').innerText(), /Search for “more like this one” instead\?/);
  let started = performance.now();
  await page.getByTestId('refine-button').click();
  await grid(page, 2).waitFor({ timeout: 120_000 });
  console.log(`refine click → refined grid: ${Math.round(performance.now() - started)} ms`);
  const matched = grid(page, 2).locator('[data-matched-region]');
  assert.ok((await matched.count()) > 0, 'matched-here boxes are drawn on the refined grid');
  await grid(page, 2).scrollIntoViewIfNeeded();
  await shot(page, 'issue17-refined-matched-here.png');
  await grid(page, 2).getByTestId('open-large').first().click();
  await page.locator('dialog [data-matched-region]').first().waitFor();
  await page.locator('dialog img').evaluate((img: HTMLImageElement) => img.decode());
  await shot(page, 'issue17-viewer-matched-here.png');
  await page.keyboard.press('Escape');
  await page.getByTestId('viewer').waitFor({ state: 'detached' });

  // (5) Marks, boxes and a half-written comment survive a reload; so do the matched boxes.
  const refined = await gridIds(page, 2);
  await card(page, 2, refined[1]).getByTestId('mark-irrelevant').click();
  await page.getByTestId('composer-input').fill('half written');
  const boxesDrawn = await page.evaluate(() => (JSON.parse(localStorage.getItem('visualref.feedback') ?? '{}') as { boxes?: unknown[] }).boxes?.length);
  assert.equal(boxesDrawn, 0, 'the boxes were used by the refinement');
  await page.reload();
  await grid(page, 2).waitFor();
  assert.equal(await grid(page, 2).locator('[data-matched-region]').count(), await matched.count(), 'matched-here boxes after a reload');
  assert.equal(await card(page, 2, refined[1]).getByTestId('mark-irrelevant').getAttribute('aria-pressed'), 'true', 'the mark survived the reload');
  assert.equal(await page.getByTestId('composer-input').inputValue(), 'half written', 'the draft survived the reload');

  // (5) The server unreachable: a friendly message, and Retry sends the same turn once.
  await page.route('**/api/chat', (route) => route.abort('connectionrefused'));
  await page.getByTestId('refine-button').click();
  const alert = page.getByTestId('chat-error');
  await alert.waitFor();
  assert.match(await alert.innerText(), /could not be reached/);
  assert.doesNotMatch(await alert.innerText(), /Failed to fetch/);
  await page.unroute('**/api/chat');
  started = performance.now();
  await page.getByTestId('retry').click();
  await grid(page, 3).waitFor({ timeout: 120_000 });
  console.log(`retry click → grid: ${Math.round(performance.now() - started)} ms`);
  assert.equal(await page.getByTestId('user-message').count(), 3, 'the retried turn appears once');
  assert.equal(await page.locator('[data-testid=result-grid][data-turn="3"]').count(), 1);
  assert.equal(await grid(page, 1).isVisible(), false, 'earlier turns are folded away');
  await page.getByText('turn 1 · 12 results').click();
  assert.equal(await grid(page, 1).isVisible(), true, 'and open with a click');

  // (7) Past sessions with their pictures; one is deleted.
  await page.getByTestId('open-sessions').click();
  const panel = page.getByTestId('sessions-panel');
  await panel.getByTestId('delete-session').first().waitFor();
  const listed = await panel.getByTestId('delete-session').count();
  assert.ok(listed >= 2, 'both threads are sessions');
  assert.ok((await panel.locator('img').count()) >= 2, 'each session shows a picture');
  await panel.getByTestId('delete-session').last().click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=delete-session]').length === n, listed - 1);
  await page.keyboard.press('Escape');
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test('phone size: touch targets, one tab stop per grid, show more, narrow live region, contrast', { skip, timeout: 300_000 }, async () => {
  const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(app.server.url);
  await page.getByTestId('open-settings').click();
  await page.getByTestId('settings-panel').getByLabel('Results per turn').fill('20');
  await page.keyboard.press('Escape');
  const started = performance.now();
  await searchFor(page, app.lib.world.images[9].sentences[0].raw);
  console.log(`phone search → grid: ${Math.round(performance.now() - started)} ms`);

  assert.equal((await gridIds(page, 1)).length, 12, 'the first page of results');
  await page.getByTestId('show-more').click();
  assert.equal((await gridIds(page, 1)).length, 20, 'show more reveals the rest');

  const small = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('button, a[href], [role=button], [role=radio]')]
      .filter((el) => el.offsetParent !== null && !el.closest('.sr-only'))
      .map((el) => ({ name: el.getAttribute('aria-label') ?? el.innerText.trim(), ...el.getBoundingClientRect().toJSON() }))
      .filter((r) => r.width < 44 || r.height < 44),
  );
  assert.deepEqual(small, [], 'every touch target is at least 44×44 px');

  const stops = await grid(page, 1).evaluate((el) => [...el.querySelectorAll<HTMLElement>('button, a[href], [tabindex]')].filter((e) => e.tabIndex >= 0).length);
  assert.equal(stops, 1, 'one tab stop in the grid');
  const ids = await gridIds(page, 1);
  await grid(page, 1).getByTestId('open-large').first().focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowDown');
  const active = await page.evaluate(() => document.activeElement?.closest<HTMLElement>('[data-testid=result-card]')?.dataset.imageId);
  assert.equal(Number(active), ids[3], 'arrow keys move across and down the two-column grid');
  await page.keyboard.press('r');
  assert.equal(await card(page, 1, ids[3]).getByTestId('mark-relevant').getAttribute('aria-pressed'), 'true', 'R marks the focused card relevant');

  // Shift+click marks a run of cards at once.
  await card(page, 1, ids[5]).getByTestId('mark-irrelevant').click();
  await card(page, 1, ids[8]).getByTestId('mark-irrelevant').click({ modifiers: ['Shift'] });
  const pressed = await Promise.all(ids.slice(4, 10).map((id) => card(page, 1, id).getByTestId('mark-irrelevant').getAttribute('aria-pressed')));
  assert.deepEqual(pressed, ['false', 'true', 'true', 'true', 'true', 'false'], 'cards 6 to 9 marked irrelevant');

  assert.equal(await page.locator('main[aria-live]').count(), 0, 'the thread is not a live region');
  const live = await page.getByTestId('live-status').innerText();
  assert.match(live, /Turn 1: 20 results/);

  const low = await lowContrastTexts(page);
  assert.deepEqual(low, [], 'all text has contrast of at least 4.5:1');
  // The check itself sees low contrast: a grey probe on white (#aaa, 2.3:1) is reported.
  await page.evaluate(() => document.querySelector('main')!.insertAdjacentHTML('beforeend', '<p id="probe" style="color:#aaa">contrast probe</p>'));
  assert.deepEqual((await lowContrastTexts(page)).map((f) => f.text), ['contrast probe']);
  await page.evaluate(() => document.getElementById('probe')!.remove());
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'issue17-phone.png');
  await context.close();
});

/** The stored session of the page, as the API returns it. */
async function storedSession(page: Page): Promise<{ title: string; turns: { explanation: { applied: { source: string }[] } | null; feedback: { removedRegions?: string[] } | null }[] }> {
  return page.evaluate(async () => {
    const id = localStorage.getItem('visualref.session')!;
    return ((await (await fetch(`/api/sessions/${id}`)).json()) as { session: never }).session;
  });
}

/** Scrolls the thread with the mouse wheel (a user's scrolling) until the grid shows `count` results. */
async function wheelUntil(page: Page, turn: number, count: number): Promise<void> {
  const main = (await page.locator('main').boundingBox())!;
  await page.mouse.move(main.x + main.width / 2, main.y + main.height / 2);
  for (let i = 0; i < 20 && (await gridIds(page, turn)).length < count; i++) {
    await page.mouse.wheel(0, 1500);
    await page.waitForTimeout(150);
  }
}

test('sessions: title after "more like this", rename after a reload, boxes of earlier turns removed; scrolling loads more', { skip, timeout: 300_000 }, async () => {
  const context = await app.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(app.server.url);
  const query = app.lib.world.images[7].sentences[0].raw;
  await searchFor(page, query);
  const first = await gridIds(page, 1);

  // A box on the first result, sent with a refinement: from then on it is listed as applied.
  await card(page, 1, first[0]).getByTestId('open-large').click();
  await page.getByRole('button', { name: /Add a box in the middle/ }).click();
  await page.locator('[data-testid=box-caption][data-caption-state=done]').first().waitFor({ timeout: 60_000 });
  await page.keyboard.press('Escape');
  await page.getByTestId('refine-button').click();
  await grid(page, 2).waitFor({ timeout: 120_000 });
  const applied = page.getByTestId('applied-box');
  assert.equal(await applied.count(), 1, 'the box is listed as applied at every refine');
  assert.equal(await applied.locator('img').count(), 1, 'with a picture of what it boxed');
  assert.ok((await grid(page, 2).locator('[data-matched-region]').count()) > 0, 'the box was applied');

  // "More like this" continues the session: the box is still listed, the title is still the query.
  await card(page, 2, (await gridIds(page, 2))[1]).getByTestId('more-like-this').click();
  await grid(page, 3).waitFor({ timeout: 120_000 });
  assert.equal(await applied.count(), 1);
  assert.equal((await storedSession(page)).title, query, 'the title stays the first query');

  // Removed: marked as such until the refinement, which then applies no box; it stays removed after a reload.
  await applied.getByTestId('remove-applied-box').click();
  assert.equal(await applied.getAttribute('data-removed'), 'true');
  await shot(page, 'issue17-applied-boxes.png');
  await page.getByTestId('refine-button').click();
  await grid(page, 4).waitFor({ timeout: 120_000 });
  assert.match(await page.getByTestId('user-message').last().innerText(), /1 earlier box removed/);
  assert.equal(await applied.count(), 0, 'no box is listed any more');
  assert.equal(await grid(page, 4).locator('[data-matched-region]').count(), 0, 'and none matched');
  const stored = await storedSession(page);
  assert.equal(stored.turns[3].feedback?.removedRegions?.length, 1, 'the removal is stored with the turn');
  assert.ok(stored.turns[1].explanation?.applied.some((a) => a.source === 'regions'));
  assert.ok(!stored.turns[3].explanation?.applied.some((a) => a.source === 'regions'), 'the refinement after the removal applied no region');
  await page.reload();
  await grid(page, 4).waitFor();
  assert.equal(await page.getByTestId('applied-box').count(), 0, 'still removed after a reload');

  // Renamed in the sessions panel; the new name is there after a reload.
  await page.getByTestId('open-sessions').click();
  const entry = page.getByTestId('session-entry').filter({ hasText: query });
  assert.equal(await entry.getByTestId('session-title').innerText(), query);
  await entry.getByTestId('rename-session').click();
  await page.getByTestId('rename-input').fill('  circles for the poster ');
  await page.getByTestId('rename-save').click();
  await page.getByTestId('session-title').filter({ hasText: 'circles for the poster' }).waitFor();
  await page.reload();
  await grid(page, 4).waitFor();
  await page.getByTestId('open-sessions').click();
  await page.getByTestId('session-title').first().waitFor();
  const titles = await page.getByTestId('session-title').allInnerTexts();
  assert.ok(titles.includes('circles for the poster') && !titles.includes(query), `renamed for good (${titles.join(' | ')})`);
  await shot(page, 'issue17-sessions-renamed.png');
  await page.keyboard.press('Escape');

  // 30 results a turn: 12 at first, the next 12 and the last 6 as the user scrolls to the end.
  await page.getByTestId('open-settings').click();
  await page.getByTestId('settings-panel').getByLabel('Results per turn').fill('30');
  await page.keyboard.press('Escape');
  await page.getByTestId('new-search').click();
  await searchFor(page, app.lib.world.images[11].sentences[0].raw);
  assert.equal((await gridIds(page, 1)).length, 12, 'the first page (the automatic scroll to the answer does not page)');
  await page.getByTestId('composer-input').pressSequentially('a b c');
  await page.waitForTimeout(300);
  assert.equal((await gridIds(page, 1)).length, 12, 'spaces typed in the composer do not page either');
  await page.getByTestId('composer-input').fill('');
  await wheelUntil(page, 1, 24);
  assert.equal((await gridIds(page, 1)).length, 24, 'scrolling to the end loads the next page');
  await wheelUntil(page, 1, 30);
  assert.equal((await gridIds(page, 1)).length, 30, 'and the rest');
  assert.equal(await page.getByTestId('show-more').count(), 0);
  assert.deepEqual(pageErrors, []);
  await context.close();

  // On a phone too.
  const phone = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const small = await phone.newPage();
  await small.goto(app.server.url);
  await small.getByTestId('open-settings').click();
  await small.getByTestId('settings-panel').getByLabel('Results per turn').fill('20');
  await small.keyboard.press('Escape');
  await searchFor(small, app.lib.world.images[11].sentences[0].raw);
  assert.equal((await gridIds(small, 1)).length, 12, 'the first page on a phone');
  await wheelUntil(small, 1, 20);
  assert.equal((await gridIds(small, 1)).length, 20, 'scrolling to the end loads the rest on a phone');
  await shot(small, 'issue17-phone-scrolled.png');
  await phone.close();
});
