import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runWatchdog } from '../../src/pipeline/index.js';
import { readProgress } from '../../src/progress/event-log.js';
import {
  changeRunState,
  claimRunSlot,
  readActiveMarker,
  readRunState,
  runSlotHolders,
  toFailed,
} from '../../src/runs/index.js';
import { newId } from '../../src/new-id.js';
import { readDelivery } from '../../src/webhooks/outbox.js';
import type { Id } from '../../src/storage/index.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { useLocalServer } from '../helpers/server.js';

// Every background invocation exits at once: runs stay queued until cancelled, failed or swept.
const server = useLocalServer({ functionsDirectory: join(import.meta.dirname, '../fixtures/idle-pipeline') });
afterEach(() => vi.unstubAllEnvs());

const body = JSON.stringify({ durationSec: 4, resolution: '360p', narration: false });

async function projectWithPhoto() {
  const project = await createProjectOverHttp(server.current.url);
  await uploadPhotos(project.api, 1, 900);
  return { ...project, projectId: project.projectId as Id };
}

async function start(api: (path: string) => string, extra: Record<string, unknown> = {}) {
  const response = await fetch(api('/runs'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...(JSON.parse(body) as object), ...extra }),
  });
  const json = (await response.json()) as { runId?: string; error?: { code: string } };
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    runId: json.runId as Id | undefined,
    code: json.error?.code,
  };
}

describe('the active-run cap', () => {
  it('of 8 starts sent at once at a cap of 3, exactly 3 are accepted; once they end, starts are accepted again', async () => {
    vi.stubEnv('SIRTRAV_MAX_ACTIVE_RUNS', '3');
    const { projectId, api } = await projectWithPhoto();
    const answers = await Promise.all(Array.from({ length: 8 }, () => start(api)));
    const accepted = answers.filter((answer) => answer.status === 202);
    const refused = answers.filter((answer) => answer.status !== 202);
    expect(accepted).toHaveLength(3);
    expect(refused.map((answer) => [answer.status, answer.code, answer.retryAfter])).toEqual(
      Array(5).fill([429, 'too_many_active_runs', '30']),
    );
    expect((await runSlotHolders(projectId)).sort()).toEqual(accepted.map((answer) => answer.runId).sort());

    for (const { runId } of accepted)
      expect((await fetch(api(`/runs/${runId}/cancel`), { method: 'POST' })).status).toBeLessThan(300);
    expect(await runSlotHolders(projectId)).toEqual([]);
    const again = await Promise.all(Array.from({ length: 4 }, () => start(api)));
    expect(again.map((answer) => answer.status).sort()).toEqual([202, 202, 202, 429]);
  });

  it('a slot whose run ended without giving it back (a crash) is reclaimed by the next start that finds the project full', async () => {
    vi.stubEnv('SIRTRAV_MAX_ACTIVE_RUNS', '2');
    vi.stubEnv('SIRTRAV_LEASE_TTL_MS', '1000');
    const { projectId, api } = await projectWithPhoto();
    const first = await start(api);
    expect(first.status).toBe(202);
    // A start that died between taking its slot and writing its run.
    const neverCreated = newId('r');
    await claimRunSlot(projectId, neverCreated, 2);
    expect((await start(api)).status).toBe(429);
    // The first run fails, and its host dies before giving the slot back.
    await changeRunState(projectId, first.runId!, (run) =>
      toFailed(run, { code: 'boom', message: 'died', retryable: false }),
    );
    const reclaimed = await start(api);
    expect(reclaimed.status).toBe(202);
    expect(await runSlotHolders(projectId)).toEqual([neverCreated, reclaimed.runId]);
    // A lease period on, the slot of the run that never came to exist is free too.
    await sleep(1100);
    const last = await start(api);
    expect(last.status).toBe(202);
    expect(await runSlotHolders(projectId)).toEqual([reclaimed.runId, last.runId]);
  });
});

describe('every death counts', () => {
  it('a run whose invocations all die before the lease fails pipeline_never_started after 5, and gives its slot back', async () => {
    vi.stubEnv('SIRTRAV_LEASE_TTL_MS', '1000');
    vi.stubEnv('SIRTRAV_MAX_ACTIVE_RUNS', '1');
    const { projectId, api } = await projectWithPhoto();
    // A loopback receiver nobody listens on: the webhook stays queued in the outbox, which is what is checked.
    const started = await start(api, { webhookUrl: 'http://127.0.0.1:9/hooks' });
    expect(started.status).toBe(202);
    const runId = started.runId!;

    let sweeps = 0;
    let triggered = 0;
    for (; sweeps < 20; sweeps++) {
      const state = await readRunState(projectId, runId);
      if (state?.status !== 'queued') break;
      await sleep(1100);
      const report = await runWatchdog({ origin: server.current.url, budgetMs: 10_000 });
      if (report.triggered.includes(runId)) triggered++;
    }
    // The start's own invocation and 4 from the watchdog: 5 that never reached the pipeline.
    expect(triggered).toBe(4);
    expect(sweeps).toBe(5);
    const final = await readRunState(projectId, runId);
    expect(final).toMatchObject({
      status: 'failed',
      attempts: 0,
      error: { code: 'pipeline_never_started', retryable: false },
    });
    if (final?.status === 'failed') expect(final.error.message).toContain('5 invocations');
    const events = (await readProgress(projectId, runId)).events;
    expect(events.at(-1)).toMatchObject({ agent: 'pipeline', status: 'failed' });
    expect(await readDelivery(runId)).toMatchObject({ type: 'run.failed', status: 'pending' });
    expect(await readActiveMarker(projectId, runId)).toBeNull();
    expect(await runSlotHolders(projectId)).toEqual([]);
    expect((await start(api)).status).toBe(202);
  });
});
