import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowser } from '../helpers/browser.js';
import { useLocalServer } from '../helpers/server.js';

/** The page on a phone: a 390×844 viewport (see tests/helpers/browser.ts for which Chromium). */
const ROOT = resolve(import.meta.dirname, '../..');
const PHONE = { width: 390, height: 844 };
const server = useLocalServer();
const browser = useBrowser();

async function openPhonePage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.current.newPage({ viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(server.current.url);
  await page.waitForSelector('#app:not([hidden])');
  return { page, errors };
}

const scrollWidth = (page: Page) =>
  page.evaluate(() => ({ document: document.documentElement.scrollWidth, viewport: window.innerWidth }));

describe('the page on a phone', () => {
  it('fits 390 px with every option shown, and on the Operations tab too', async () => {
    const { page, errors } = await openPhonePage();
    // Every run option is on the page.
    for (const id of [
      '#aspect',
      '#resolution',
      '#duration',
      '#title-mode',
      '#captions',
      '#mood',
      '#music-style',
      '#language',
      '#narration',
    ])
      expect(await page.isVisible(id), id).toBe(true);
    expect(
      await page.$$eval('#aspect option', (options) => options.map((o) => (o as HTMLOptionElement).value)),
    ).toEqual(['16:9', '9:16', '1:1', '4:5']);
    expect(await page.isVisible('#title-text')).toBe(false);
    await page.selectOption('#title-mode', 'custom');
    expect(await page.isVisible('#title-text')).toBe(true);
    const mine = await scrollWidth(page);
    expect(mine.viewport).toBe(390);
    expect(mine.document).toBeLessThanOrEqual(mine.viewport);

    await page.click('#tab-operations');
    await page.waitForSelector('#operations:not([hidden]) #ops-latency svg');
    const operations = await scrollWidth(page);
    expect(operations.document).toBeLessThanOrEqual(operations.viewport);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('sends the options chosen, and leaves out the ones left to the server', async () => {
    const { page, errors } = await openPhonePage();
    await page.setInputFiles('#file-input', {
      name: 'porto.jpg',
      mimeType: 'image/jpeg',
      buffer: await readFile(join(ROOT, 'samples', '05-porto-bridge.jpg')),
    });
    await page.waitForFunction(() => document.getElementById('photo-count')?.textContent === '1 photo ready.');
    // Answered here, on the page's own origin: only the body the page sends is under test.
    const bodies: unknown[] = [];
    await page.route(`${server.current.url}/api/projects/*/runs`, async (route) => {
      bodies.push(route.request().postDataJSON());
      await route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'stub', message: 'not started' } }),
      });
    });
    await page.click('#make');
    await expect.poll(() => bodies.length).toBe(1);
    expect(bodies[0]).toEqual({ resolution: '720p', aspect: '16:9', narration: true, captions: false });

    await page.selectOption('#aspect', '4:5');
    await page.selectOption('#language', 'fr');
    await page.selectOption('#music-style', 'piano');
    await page.selectOption('#title-mode', 'custom');
    await page.fill('#title-text', 'Porto la nuit');
    await page.check('#captions');
    await page.click('#make');
    await expect.poll(() => bodies.length).toBe(2);
    expect(bodies[1]).toEqual({
      resolution: '720p',
      aspect: '4:5',
      narration: true,
      captions: true,
      musicStyle: 'piano',
      language: 'fr',
      title: 'Porto la nuit',
    });
    await page.selectOption('#title-mode', 'off');
    await page.click('#make');
    await expect.poll(() => bodies.length).toBe(3);
    expect(bodies[2]).toMatchObject({ title: false });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('makes a 9:16 video from the page at that size, and lists it among the past videos', async () => {
    const { page, errors } = await openPhonePage();
    await page.setInputFiles('#file-input', {
      name: 'sintra.jpg',
      mimeType: 'image/jpeg',
      buffer: await readFile(join(ROOT, 'samples', '03-sintra-hills.jpg')),
    });
    await page.waitForFunction(() => document.getElementById('photo-count')?.textContent === '1 photo ready.');
    await page.selectOption('#aspect', '9:16');
    await page.selectOption('#duration', '4');
    await page.selectOption('#resolution', '360p');
    const started = page.waitForRequest((request) => request.url().endsWith('/runs') && request.method() === 'POST');
    await page.click('#make');
    expect((await started).postDataJSON()).toMatchObject({ aspect: '9:16', resolution: '360p', durationSec: 4 });
    await page.waitForSelector('#result:not([hidden])', { timeout: 120_000 });
    await page.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).videoWidth > 0, undefined, {
      timeout: 30_000,
    });
    const size = await page.$eval('#video', (el) => ({
      width: (el as HTMLVideoElement).videoWidth,
      height: (el as HTMLVideoElement).videoHeight,
    }));
    expect(size).toEqual({ width: 360, height: 640 });
    await page.waitForSelector('#runs li[data-status="complete"]');
    expect(await page.$$eval('#runs li', (rows) => rows.length)).toBe(1);
    const after = await scrollWidth(page);
    expect(after.document).toBeLessThanOrEqual(after.viewport);
    // The video opens in the storyboard editor, which fits too.
    await page.click('#edit');
    await page.waitForSelector('#editor:not([hidden]) #shots li');
    const editing = await scrollWidth(page);
    expect(editing.document).toBeLessThanOrEqual(editing.viewport);
    await page.screenshot({ path: join(ROOT, 'out', 'phone.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
