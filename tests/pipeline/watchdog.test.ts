import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { newId } from '../../src/new-id.js';
import { leaseDoc, readLease } from '../../src/pipeline/index.js';
import { readProgress, appendProgress } from '../../src/progress/event-log.js';
import { createRunState, markActive, readActiveMarker, readRunState } from '../../src/runs/index.js';
import { isTerminal } from '../../src/schemas/run.js';
import { getBinary, getMetadata, keys, putBinary, writeJSON, type Id } from '../../src/storage/index.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { makeCompleteRun, makeQueuedRun } from '../helpers/runs.js';
import { tearBlob } from '../helpers/tear.js';
import { useLocalServer } from '../helpers/server.js';

const LEASE_MS = 2000;
beforeAll(() => vi.stubEnv('SIRTRAV_LEASE_TTL_MS', String(LEASE_MS)));
afterAll(() => vi.unstubAllEnvs());

// The watchdog runs every half lease period, as `npm start` runs it. Nobody reads the runs over the API here.
const server = useLocalServer({ everyMinuteMs: LEASE_MS / 2 });

async function until<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('the watchdog', () => {
  it('re-invokes a run whose host died within two lease periods of its lease lapsing, with nobody polling', async () => {
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 2, 800);
    const runId = newId('r');
    const now = new Date();
    // A run in the middle of its work whose host was killed: its lease was last renewed just now.
    await markActive(projectId as Id, runId, new Date(now.getTime() - 10 * LEASE_MS));
    await createRunState({
      runId,
      projectId: projectId as Id,
      status: 'running',
      step: 'director',
      progress: 0.05,
      request: { durationSec: 4, resolution: '360p', narration: false },
      mediaIds: [],
      attempts: 1,
      cancelRequested: false,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    });
    await appendProgress(
      projectId as Id,
      runId,
      { agent: 'pipeline', status: 'queued', progress: 0 },
      { agent: 'pipeline', status: 'started', progress: 0 },
    );
    const lapsesAt = Date.now() + LEASE_MS;
    await writeJSON(keys.runLease(projectId as Id, runId), leaseDoc, {
      owner: 'killed-host',
      expiresAt: lapsesAt,
      acquiredAt: now.getTime(),
      released: false,
    });

    const retaken = await until('another invocation to take the lease', async () => {
      const lease = await readLease(projectId as Id, runId);
      return lease && lease.owner !== 'killed-host' ? Date.now() : null;
    });
    expect(retaken).toBeGreaterThanOrEqual(lapsesAt);
    expect(retaken - lapsesAt).toBeLessThan(2 * LEASE_MS);
    const final = await until('the run to end', async () => {
      const state = await readRunState(projectId as Id, runId);
      return state && isTerminal(state.status) ? state : null;
    });
    expect(final).toMatchObject({ status: 'complete', attempts: 2 });
    await until(
      'the run to leave the active index',
      async () => (await readActiveMarker(projectId as Id, runId)) === null,
    );
    const statuses = (await readProgress(projectId as Id, runId)).events.map((e) => `${e.agent}:${e.status}`);
    expect(statuses).toContain('pipeline:resumed');
    expect(statuses.at(-1)).toBe('pipeline:complete');
  });

  it('a render longer than two lease periods is not taken for stalled while its lease is renewed', async () => {
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 3, 820);
    const started = Date.now();
    const response = await fetch(api('/runs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ durationSec: 30, resolution: '360p', narration: false }),
    });
    const { runId } = (await response.json()) as { runId: Id };
    const final = await until(
      'the run to end',
      async () => {
        const state = await readRunState(projectId as Id, runId);
        return state && isTerminal(state.status) ? state : null;
      },
      170_000,
    );
    expect(Date.now() - started).toBeGreaterThan(2 * LEASE_MS);
    expect(final).toMatchObject({ status: 'complete', attempts: 1 });
    const statuses = (await readProgress(projectId as Id, runId)).events.map((e) => `${e.agent}:${e.status}`);
    expect(statuses.filter((s) => s === 'pipeline:started')).toHaveLength(1);
    expect(statuses).not.toContain('pipeline:resumed');
  }, 180_000);

  it('a marker whose run was never created is removed, and a finished run left in the index is settled', async () => {
    const { projectId } = await createProjectOverHttp(server.current.url);
    const ghost = newId('r');
    await markActive(projectId as Id, ghost, new Date(Date.now() - 10 * LEASE_MS));
    await until(
      'the ghost marker to go',
      async () => (await readActiveMarker(projectId as Id, ghost)) === null,
      20_000,
    );

    // A host killed between writing a run's final state and its terminal event. (After the scheduled
    // repair's first pass, which would rightly fail a complete run caught before its video is planted.)
    await until('the first repair pass', async () => (await getMetadata(keys.repairCursor())) !== null, 30_000);
    const finished = await makeCompleteRun(projectId as Id, { mood: 'calm', musicStyle: 'acoustic' });
    await putBinary(keys.video(finished), new Uint8Array(1000), { projectId, runId: finished, bytes: 1000 });
    await appendProgress(projectId as Id, finished, { agent: 'pipeline', status: 'started', progress: 0 });
    await markActive(projectId as Id, finished);
    await until(
      'the finished run to be settled',
      async () => (await readActiveMarker(projectId as Id, finished)) === null,
      20_000,
    );
    const { events } = await readProgress(projectId as Id, finished);
    expect(events.map((e) => e.status)).toEqual(['started', 'complete']);
  });

  it('a running run whose state fails its own checks is failed with state_unreadable and its progress log ended, within a lease period', async () => {
    const { projectId, runId } = await makeQueuedRun();
    await markActive(projectId, runId);
    await appendProgress(
      projectId,
      runId,
      { agent: 'pipeline', status: 'queued', progress: 0 },
      { agent: 'voice', status: 'started', progress: 0.3 },
    );
    const ref = keys.runState(projectId, runId);
    const current = (await getBinary(ref))!;
    await tearBlob({
      directory: server.directory,
      ref,
      tear: 'truncated-body',
      next: { body: current.data, metadata: current.metadata },
    });
    await expect(readRunState(projectId, runId)).rejects.toMatchObject({ name: 'CorruptBlobError' });

    const final = await until('the run to end', async () => {
      const state = await readRunState(projectId, runId).catch(() => null);
      return state && isTerminal(state.status) ? state : null;
    });
    expect(final).toMatchObject({ status: 'failed', error: { code: 'state_unreadable', retryable: true } });
    await until('the run to leave the active index', async () => (await readActiveMarker(projectId, runId)) === null);
    const events = (await readProgress(projectId, runId)).events;
    expect(events.map((e) => `${e.agent}:${e.status}`)).toEqual([
      'pipeline:queued',
      'voice:started',
      'pipeline:failed',
    ]);
    expect(events.at(-1)?.message).toContain('could not be read');
    const answer = await fetch(`${server.current.url}/api/projects/${projectId}/runs/${runId}`);
    expect(answer.status).toBe(200);
  });
});
