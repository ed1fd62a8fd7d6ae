import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/new-id.js';
import { onRunEnded } from '../../src/runs/index.js';
import { PipelineError, recordFailure } from '../../src/pipeline/index.js';
import { createProject } from '../../src/projects/index.js';
import { launchBrowser } from '../helpers/browser.js';
import { plantRun } from '../helpers/runs.js';
import { useLocalServer } from '../helpers/server.js';

/** The Operations view in a real browser (see tests/helpers/browser.ts for which Chromium). */
const ROOT = resolve(import.meta.dirname, '../..');
const server = useLocalServer();
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const DAY = 86_400_000;

async function plant(): Promise<void> {
  const { projectId } = await createProject('operations');
  const statuses = [
    ['complete', 0],
    ['complete', 1],
    ['complete', 1],
    ['failed', 2],
    ['cancelled', 4],
    ['complete', 6],
  ] as const;
  for (const [status, daysAgo] of statuses)
    await onRunEnded(
      await plantRun(
        projectId,
        status,
        daysAgo * DAY + 60_000,
        status === 'complete' ? { timings: { director: 120, compose: 5200 } } : {},
      ),
    );
  const failures = [
    ['compose', 'resource', 'resource_exhausted', 'ENOSPC: no space left on device'],
    ['voice', 'network', 'network_error', 'fetch failed: ECONNRESET'],
    ['voice', 'network', 'network_error', 'socket hang up'],
    ['compose', 'configuration', 'ffmpeg_missing', 'No ffmpeg found'],
  ] as const;
  for (const [step, errorClass, code, message] of failures) {
    await recordFailure({
      projectId,
      runId: newId('r'),
      step,
      error: new PipelineError({ errorClass: errorClass, code, message }),
      toolChain: [],
      actionsTaken: [],
    });
  }
  for (let i = 0; i < 5; i++) await fetch(`${server.current.url}/api/health`);
}

describe('the Operations view in Chromium', () => {
  it('draws latency over time, runs per day and failures by class, with store, agent and route figures', async () => {
    await plant();
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.current.url);
    // Operations is a tab of its own, apart from a person's videos.
    await page.click('#tab-operations');
    expect(await page.isHidden('#mine')).toBe(true);
    await page.waitForSelector('#operations:not([hidden]) #ops-latency svg');

    const latency = await page.$$eval('#ops-latency polyline', (lines) =>
      lines.map((line) => ({
        series: line.getAttribute('data-series'),
        points: line.getAttribute('points')!.split(' ').length,
      })),
    );
    expect(latency.map((line) => line.series).sort()).toEqual(['p50Ms', 'p95Ms']);
    expect((await page.$$('#ops-latency circle')).length).toBeGreaterThanOrEqual(2);

    const bars = await page.$$eval('#ops-runs rect', (rects) =>
      rects.map((rect) => ({
        status: rect.getAttribute('data-status'),
        count: Number(rect.getAttribute('data-count')),
        height: Number(rect.getAttribute('height')),
      })),
    );
    const byStatus = (status: string) =>
      bars.filter((bar) => bar.status === status).reduce((sum, bar) => sum + bar.count, 0);
    expect(byStatus('complete')).toBe(4);
    expect(byStatus('failed')).toBe(1);
    expect(byStatus('cancelled')).toBe(1);
    expect(bars.every((bar) => bar.height > 0)).toBe(true);

    const failureBars = await page.$$eval('#ops-failures rect', (rects) =>
      rects.map(
        (rect) =>
          [
            rect.getAttribute('data-class'),
            Number(rect.getAttribute('data-count')),
            rect.getBoundingClientRect().width,
          ] as const,
      ),
    );
    expect(failureBars.map(([cls, count]) => [cls, count])).toEqual([
      ['network', 2],
      ['configuration', 1],
      ['resource', 1],
    ]);
    expect(failureBars[0]![2]).toBeGreaterThan(failureBars[1]![2]);
    for (const id of ['#ops-latency svg', '#ops-runs svg', '#ops-failures svg'])
      expect(await page.$eval(id, (svg) => svg.getBoundingClientRect().width), id).toBeGreaterThan(300);

    expect(await page.textContent('#ops-stores')).toContain('sirtrav-runs');
    expect(await page.textContent('#ops-agents')).toMatch(/compose/);
    expect(await page.textContent('#ops-routes')).toContain('GET /api/health');

    await page.fill('#ops-q', 'no space left on device');
    await page.click('#ops-search button');
    await page.waitForSelector('#ops-results .failure');
    expect(await page.textContent('#ops-results .failure strong')).toContain('resource_exhausted');

    await page.screenshot({ path: join(ROOT, 'out', 'operations.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
