import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowser } from '../helpers/browser.js';
import { useLocalServer } from '../helpers/server.js';

/** The storyboard editor and its live preview in a real browser (see tests/helpers/browser.ts for which Chromium). */
const ROOT = resolve(import.meta.dirname, '../..');
const SAMPLES = ['01-lisbon-river.jpg', '03-sintra-hills.jpg', '05-porto-bridge.jpg'];
const server = useLocalServer();
const browser = useBrowser();

interface Edit {
  op: string;
  shot?: number;
  to?: number;
  line?: number;
  text?: string;
}

const shownOrder = (page: Page) =>
  page.$$eval('#shots li', (rows) => rows.map((row) => Number((row as HTMLElement).dataset.source)));
const shownEdits = (page: Page) =>
  page.$$eval('#edits li', (rows) => rows.map((row) => JSON.parse((row as HTMLElement).dataset.edit!) as Edit));
/** A cheap fingerprint of what the canvas shows now. */
const canvasPixels = (page: Page) =>
  page.$eval('#stage', (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    for (let i = 0; i < data.length; i += 16) sum = (sum * 31 + data[i]!) % 1_000_000_007;
    return sum;
  });
const audioState = (page: Page, id: string) =>
  page.$eval(`#${id}`, (el) => ({
    paused: (el as HTMLAudioElement).paused,
    currentTime: (el as HTMLAudioElement).currentTime,
  }));

describe('the storyboard editor in Chromium', () => {
  it('plans, plays the plan at once on a canvas with its audio, edits it, and sends the edits with "Make it"', async () => {
    const page = await browser.current.newPage({ viewport: { width: 820, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.current.url);
    await page.waitForSelector('#app:not([hidden])');
    await page.setInputFiles(
      '#file-input',
      await Promise.all(
        SAMPLES.map(async (name) => ({
          name,
          mimeType: 'image/jpeg',
          buffer: await readFile(join(ROOT, 'samples', name)),
        })),
      ),
    );
    await page.waitForFunction(() => document.getElementById('photo-count')?.textContent === '3 photos ready.');
    await page.selectOption('#duration', '15');
    await page.click('#plan');

    // Playing within 3 s of the plan being ready, before any frame is encoded.
    await page.waitForSelector('#stage[data-playing]', { timeout: 60_000 });
    const readyAt = Number(await page.getAttribute('#editor', 'data-plan-ready-at'));
    const playingAt = Number(await page.getAttribute('#stage', 'data-playing-at'));
    expect(playingAt - readyAt).toBeGreaterThanOrEqual(0);
    expect(playingAt - readyAt).toBeLessThan(3000);
    console.log(`preview playing ${playingAt - readyAt} ms after the plan was ready`);
    // The plan is listed among the past videos, to edit again later.
    await page.waitForSelector('#runs li[data-status="complete"] button');
    expect(await page.textContent('#runs li button')).toBe('Edit plan');
    const planRunId = (await page.getAttribute('#runs li', 'data-run-id'))!;

    const first = await canvasPixels(page);
    await page.waitForFunction(() => {
      const music = document.getElementById('music-audio') as HTMLAudioElement;
      return !music.paused && music.currentTime > 0.5;
    });
    expect(await canvasPixels(page)).not.toBe(first);
    const music = await audioState(page, 'music-audio');
    expect(music.paused).toBe(false);
    expect(music.currentTime).toBeGreaterThan(0);
    const lines = await page.$$eval('#lines input', (inputs) => inputs.length);
    if (lines > 0) {
      await page.waitForFunction(() => (document.getElementById('voice-audio') as HTMLAudioElement).currentTime > 0);
      expect((await audioState(page, 'voice-audio')).paused).toBe(false);
    }
    await page.screenshot({ path: join(ROOT, 'out', 'editor-playing.png') });

    // Three photos from three places: a map shot shows the route among them.
    expect(await page.$$eval('#shots li:not([data-media-id])', (rows) => rows.length)).toBe(1);
    // Reorder by drag and drop: the first shot goes to the third place.
    const before = await shownOrder(page);
    expect(before).toEqual([0, 1, 2, 3]);
    await page.dragAndDrop('#shots li:nth-child(1)', '#shots li:nth-child(3)');
    await expect.poll(() => shownOrder(page)).toEqual([1, 2, 0, 3]);
    expect(await shownEdits(page)).toEqual([{ op: 'move', shot: 0, to: 2 }]);
    // …and with the buttons (touch, keyboard): the new first shot one place down.
    await page.click('#shots li:nth-child(1) button[aria-label^="Move shot 1 down"]');
    await expect.poll(() => shownOrder(page)).toEqual([2, 1, 0, 3]);
    // Remove the last shot, rewrite the title and a line.
    await page.click('#shots li:nth-child(3) button[aria-label^="Remove"]');
    await expect.poll(() => shownOrder(page)).toEqual([2, 1, 3]);
    await page.fill('#edit-title', 'Three cities');
    await page.press('#edit-title', 'Tab');
    const expected: Edit[] = [
      { op: 'move', shot: 0, to: 2 },
      { op: 'move', shot: 1, to: 1 },
      { op: 'remove', shot: 0 },
      { op: 'title', text: 'Three cities' },
    ];
    if (lines > 0) {
      await page.fill('#lines li:nth-child(1) input', 'Where the river meets the sea.');
      await page.press('#lines li:nth-child(1) input', 'Tab');
      expected.push({ op: 'narration', line: 0, text: 'Where the river meets the sea.' });
    }
    await expect.poll(() => shownEdits(page)).toEqual(expected);
    // The preview plays the edited plan (it goes on playing through a change, or starts again).
    if ((await page.textContent('#play')) === 'Play') await page.click('#play');
    await page.waitForSelector('#stage[data-playing]');
    const edited = await canvasPixels(page);
    await expect.poll(() => canvasPixels(page)).not.toBe(edited);
    // Paused, it stays paused through a change (the rebuild follows the person's wish, and so does the button).
    await page.click('#play');
    await page.waitForSelector('#stage:not([data-playing])');
    await page.fill('#edit-title', 'Three cities, slowly');
    await page.press('#edit-title', 'Tab');
    // A second title replaces the first, as the last change.
    expected.splice(3, 1);
    expected.push({ op: 'title', text: 'Three cities, slowly' });
    await expect.poll(() => shownEdits(page)).toEqual(expected);
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 1000)));
    expect(await page.$('#stage[data-playing]')).toBeNull();
    expect(await page.textContent('#play')).toBe('Play');
    await page.click('#play');
    await page.waitForSelector('#stage[data-playing]');
    expect(await page.textContent('#play')).toBe('Pause');

    await mkdir(join(ROOT, 'out'), { recursive: true });
    await page.locator('#editor').screenshot({ path: join(ROOT, 'out', 'editor.png') });
    if (process.env.SIRTRAV_SCREENSHOTS === '1')
      await page
        .locator('#editor')
        .screenshot({ path: join(ROOT, 'docs', 'images', 'editor.jpg'), type: 'jpeg', quality: 70 });

    const sent = page.waitForRequest((request) => request.method() === 'POST' && request.url().endsWith('/runs'));
    await page.click('#make-edit');
    expect((await sent).postDataJSON()).toEqual({ editOf: planRunId, edits: expected });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
