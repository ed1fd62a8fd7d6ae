import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryFromEpisode } from '../../src/failures/entry.js';
import { heuristicReflection } from '../../src/failures/heuristics.js';
import { putEntry } from '../../src/failures/index-store.js';
import { newId } from '../../src/new-id.js';
import { clearMediaBytesCache } from '../../src/media/bytes-cache.js';
import { readMediaBytes } from '../../src/media/library.js';
import { setFlushInterval } from '../../src/metrics/metrics.js';
import { onRunEnded } from '../../src/runs/index.js';
import type { RunState } from '../../src/schemas/run.js';
import type { Stats } from '../../src/schemas/operations.js';
import { openStore, parseId, STORE_IDS, STORE_NAMES, type Id } from '../../src/storage/index.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { plantRun } from '../helpers/runs.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();
const HOUR = 3_600_000;

beforeAll(() => setFlushInterval(3_600_000));
afterAll(() => setFlushInterval(5_000));

/** What the stores hold, counted without the code under test: every blob listed and downloaded. */
async function storeTruth(): Promise<Record<string, { blobs: number; bytes: number }>> {
  const truth: Record<string, { blobs: number; bytes: number }> = {};
  for (const id of STORE_IDS) {
    const store = openStore(id);
    const { blobs } = await store.list();
    let bytes = 0;
    for (const blob of blobs) bytes += (await store.get(blob.key, { type: 'arrayBuffer' }))!.byteLength;
    truth[STORE_NAMES[id]] = { blobs: blobs.length, bytes };
  }
  return truth;
}

describe('GET /api/admin/stats', () => {
  it('matches a planted state exactly: blobs, runs, failures, a cache hit and a miss, agents and routes', async () => {
    const created = await createProjectOverHttp(server.current.url);
    const { api } = created;
    const projectId = parseId(created.projectId);
    const [photo] = await uploadPhotos(api, 1, 700);
    await openStore('videos').set('r_planted/final.mp4', new Uint8Array(12_345).buffer as ArrayBuffer);
    await openStore('audio').set('projects/x/runs/y/music.wav', new Uint8Array(777).buffer as ArrayBuffer);

    const planted: Array<[Parameters<typeof plantRun>[1], number]> = [
      ['complete', HOUR],
      ['complete', 2 * HOUR],
      ['failed', 3 * 24 * HOUR],
      ['queued', 5 * 60_000],
      ['cancelled', 10 * 24 * HOUR],
    ];
    const runs: RunState[] = [];
    for (const [status, age] of planted)
      runs.push(
        await plantRun(
          projectId,
          status,
          age,
          status === 'complete' && runs.length === 0 ? { timings: { director: 200, compose: 4000 } } : {},
        ),
      );

    clearMediaBytesCache();
    await readMediaBytes(projectId, photo!.mediaId as Id); // miss
    await readMediaBytes(projectId, photo!.mediaId as Id); // hit

    await onRunEnded(runs[0]!);
    const episode = (code: string, errorClass: string) => ({
      runId: newId('r'),
      projectId,
      at: new Date().toISOString(),
      goal: 'g',
      step: 'compose',
      error_class: errorClass,
      code,
      message: code,
      error_trace: '',
      tool_chain: [],
      actions_taken: [],
    });
    for (const [code, errorClass] of [
      ['network_error', 'network'],
      ['timeout', 'timeout'],
      ['network_error', 'network'],
    ] as const) {
      const e = episode(code, errorClass);
      await putEntry(
        entryFromEpisode({
          ...e,
          reflection: heuristicReflection({
            errorClass,
            code,
            step: 'compose',
            message: code,
            providers: {},
            resolution: null,
            durationSec: null,
          }),
        }),
      );
    }

    for (let i = 0; i < 3; i++) expect((await fetch(api('/media'))).status).toBe(200);
    expect((await fetch(`${server.current.url}/api/projects/p_unknown/media`)).status).toBe(404);

    const response = await fetch(`${server.current.url}/api/admin/stats`);
    expect(response.status).toBe(200);
    const stats = (await response.json()) as Stats;
    expect(stats.stores).toEqual(await storeTruth());
    expect(stats.stores['sirtrav-videos']).toEqual({ blobs: 1, bytes: 12_345 });
    expect(stats.runWindows.last24h).toEqual({ queued: 1, running: 0, complete: 2, failed: 0, cancelled: 0 });
    expect(stats.runs).toEqual({ queued: 1, running: 0, complete: 2, failed: 1, cancelled: 0 });
    expect(stats.series.runsPerDay).toHaveLength(7);
    expect(stats.series.runsPerDay.reduce((sum, day) => sum + day.runs.complete!, 0)).toBe(2);
    expect(stats.failures).toEqual({ network: 2, timeout: 1 });
    expect(stats.cache).toEqual({ hits: 1, misses: 1, hitRate: 0.5 });
    expect(stats.agents.director).toMatchObject({ count: 1 });
    expect(Math.abs(stats.agents.director!.p50Ms! - 200) / 200).toBeLessThan(0.06);
    expect(Math.abs(stats.agents.compose!.p99Ms! - 4000) / 4000).toBeLessThan(0.06);
    const media = stats.routes['GET /api/projects/:projectId/media']!;
    expect(media.count).toBe(4);
    expect(media.clientErrorRate).toBe(0.25);
    expect(media.errorRate).toBe(0);
    expect(media.p50Ms).toBeGreaterThan(0);
    expect(stats.series.latency).toHaveLength(24);
    expect(stats.series.latency.at(-1)!.count).toBeGreaterThanOrEqual(4);
  });
});
