import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { useLocalServer } from '../helpers/server.js';

/**
 * The web page in a real browser: the Chromium inside the `@sparticuz/chromium` npm package, or the binary named by
 * `CHROMIUM_PATH`. Never skipped: without a browser the suite fails and says how to get one.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const SAMPLES = ['01-lisbon-river.jpg', '03-sintra-hills.jpg', '05-porto-bridge.jpg'].map((file) =>
  join(ROOT, 'samples', file),
);
const server = useLocalServer();
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  vi.unstubAllEnvs();
});

async function makeVideo(page: Page, files: string[], options: { resolution?: string; button?: string } = {}) {
  // Drag and drop, as a person would: a DataTransfer with the files, dropped on the zone.
  const payload = await Promise.all(
    files.map(async (file) => ({
      name: file.split('/').pop()!,
      data: [...new Uint8Array(await import('node:fs/promises').then((fs) => fs.readFile(file)))],
    })),
  );
  const transfer = await page.evaluateHandle((items) => {
    const data = new DataTransfer();
    for (const item of items) data.items.add(new File([new Uint8Array(item.data)], item.name, { type: 'image/jpeg' }));
    return data;
  }, payload);
  await page.dispatchEvent('#drop', 'drop', { dataTransfer: transfer });
  await page.waitForFunction(
    (n) => document.getElementById('photo-count')?.textContent === `${n} photo${n === 1 ? '' : 's'} ready.`,
    files.length,
  );
  await page.selectOption('#duration', '4');
  await page.selectOption('#resolution', options.resolution ?? '360p');
  await page.click(options.button ?? '#make');
  await page.waitForSelector('#result:not([hidden])', { timeout: 60_000 });
}

describe('the web page in Chromium', () => {
  it('uploads dropped photos, shows progress per agent, plays and seeks the video, rates it and shows what was learned', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.current.url);
    await page.waitForSelector('#app:not([hidden])');
    await expect.poll(() => page.textContent('#service')).toContain('local mode');
    await makeVideo(page, SAMPLES);

    for (const agent of ['director', 'voice', 'music', 'compose']) {
      expect(
        await page.$eval(`.agent[data-agent="${agent}"] progress`, (el) => (el as HTMLProgressElement).value),
        agent,
      ).toBe(1);
    }
    // The video plays and can seek (the server answers Range requests).
    await page.waitForFunction(
      () => (document.getElementById('video') as HTMLVideoElement).readyState >= 2,
      undefined,
      { timeout: 30_000 },
    );
    await page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).play());
    await page.waitForFunction(
      () => (document.getElementById('video') as HTMLVideoElement).currentTime > 0.3,
      undefined,
      { timeout: 30_000 },
    );
    const video = await page.$eval('#video', (el) => ({
      duration: (el as HTMLVideoElement).duration,
      width: (el as HTMLVideoElement).videoWidth,
    }));
    expect(video.width).toBe(640);
    expect(Math.abs(video.duration - 4)).toBeLessThan(0.3);
    await page.evaluate(() => {
      const v = document.getElementById('video') as HTMLVideoElement;
      v.pause();
      v.currentTime = 3;
    });
    await page.waitForFunction(
      () =>
        Math.abs((document.getElementById('video') as HTMLVideoElement).currentTime - 3) < 0.1 &&
        !(document.getElementById('video') as HTMLVideoElement).seeking,
    );

    expect(await page.textContent('#memory')).toContain('Nothing yet');
    await page.click('#rate-good');
    await page.waitForFunction(() => document.querySelector('#memory table') !== null);
    const memory = await page.textContent('#memory');
    expect(memory).toMatch(/calm \+ acoustic\s*67%\s*1/);
    // The narration rides on the player as captions, and Share makes a public page and copies its link.
    // (A 4 s video may have no line short enough to be said: the track is then loaded and empty.)
    await page.waitForFunction(
      () => document.querySelector<HTMLTrackElement>('#video track')?.readyState === HTMLTrackElement.LOADED,
    );
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.current.url });
    await page.click('#share');
    await page.waitForSelector('#share-link:not([hidden])');
    const shared = await page.$eval('#share-link', (link) => (link as HTMLAnchorElement).href);
    expect(shared).toMatch(/\/api\/share\/[A-Za-z0-9_-]{22}$/);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shared);
    expect(await page.textContent('#shared')).toContain('Link copied');
    expect((await fetch(shared)).headers.get('content-type')).toBe('text/html; charset=utf-8');
    await page.screenshot({ path: join(ROOT, 'out', 'page.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('previews first, then makes the same storyboard in full from the draft', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.current.url);
    await page.waitForSelector('#app:not([hidden])');
    await makeVideo(page, SAMPLES.slice(0, 2), { resolution: '720p', button: '#preview' });
    await page.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).videoWidth > 0, undefined, {
      timeout: 30_000,
    });
    expect(await page.$eval('#video', (el) => (el as HTMLVideoElement).videoWidth)).toBe(640);
    expect(await page.isVisible('#draft')).toBe(true);
    const draftSrc = await page.$eval('#video', (el) => (el as HTMLVideoElement).src);

    await page.click('#make-full');
    await page.waitForFunction(
      (before) => (document.getElementById('video') as HTMLVideoElement).src !== before,
      draftSrc,
      { timeout: 90_000 },
    );
    await page.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).videoWidth > 0, undefined, {
      timeout: 30_000,
    });
    expect(await page.$eval('#video', (el) => (el as HTMLVideoElement).videoWidth)).toBe(1280);
    expect(await page.isVisible('#draft')).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('with auth on, takes a token once and keeps it in local storage', async () => {
    vi.stubEnv('SIRTRAV_API_SECRET', 'page-test-secret-0123456789');
    vi.stubEnv('SIRTRAV_ADMIN_TOKEN', 'page-admin-token-0123456789');
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(server.current.url);
      await page.waitForSelector('#auth:not([hidden])');
      await page.fill('#token', 'wrong-token');
      await page.click('#token-form button');
      await expect.poll(() => page.textContent('#error')).toContain('not accepted');
      await page.fill('#token', 'page-admin-token-0123456789');
      await page.click('#token-form button');
      await page.waitForSelector('#app:not([hidden])');
      const saved = await page.evaluate(
        () => JSON.parse(localStorage.getItem('sirtrav.project') ?? 'null') as { token: string } | null,
      );
      expect(saved?.token).toMatch(/^stp\./);
      await makeVideo(page, SAMPLES.slice(0, 1));
      expect(await page.$eval('#video', (el) => (el as HTMLVideoElement).src)).toMatch(/\/video\?exp=\d+&sig=/);
      await page.waitForFunction(
        () => (document.getElementById('video') as HTMLVideoElement).readyState >= 2,
        undefined,
        { timeout: 30_000 },
      );
      // A reload needs no token again.
      await page.reload();
      await page.waitForSelector('#app:not([hidden])');
      expect(await page.isHidden('#auth')).toBe(true);
      await context.close();
    } finally {
      vi.stubEnv('SIRTRAV_API_SECRET', '');
      vi.stubEnv('SIRTRAV_ADMIN_TOKEN', '');
    }
  });
});
