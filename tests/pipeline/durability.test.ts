import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRunState, newRun, storyboardDoc } from '../../src/runs/index.js';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import { readProgress } from '../../src/progress/event-log.js';
import { appendProgress } from '../../src/progress/event-log.js';
import { newId } from '../../src/new-id.js';
import type { ProgressEvent } from '../../src/schemas/progress.js';
import type { RunState } from '../../src/schemas/run.js';
import { getMetadata, keys, parseId, readJSON, type Id } from '../../src/storage/index.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { useLocalServer } from '../helpers/server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const LEASE_MS = 1500;

beforeAll(() => vi.stubEnv('SIRTRAV_LEASE_TTL_MS', String(LEASE_MS)));
afterAll(() => vi.unstubAllEnvs());

const server = useLocalServer();

/** ffmpeg processes started by this process, from /proc (what `ps --ppid` shows). */
function ffmpegChildren(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/.exec(stat) ?? [];
      if (comm === 'ffmpeg' && Number(rest?.split(' ')[1]) === process.pid) found.push(Number(entry));
    } catch {
      // The process ended while it was read.
    }
  }
  return found;
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function startRun(api: (path: string) => string, body: object) {
  const response = await fetch(api('/runs'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  return (await response.json()) as { runId: string; links: { self: string; progress: string; video: string } };
}

describe('cancel', () => {
  it('cancelling mid-compose ends the run cancelled, kills ffmpeg and leaves no video', async () => {
    const { api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 6, 200);
    const { runId, links } = await startRun(api, { durationSec: 40, resolution: '720p' });
    let cancelled = false;
    let cancelResponse: Promise<Response> | undefined;
    const events: ProgressEvent[] = [];
    const final = await followProgress(links.progress, {
      onEvent: (event) => {
        events.push(event);
        if (!cancelled && event.agent === 'compose' && event.status === 'progress') {
          cancelled = true;
          cancelResponse = fetch(api(`/runs/${runId}/cancel`), { method: 'POST' });
        }
      },
    });
    expect(cancelled).toBe(true);
    expect((await cancelResponse)?.status).toBe(202);
    expect(final?.status).toBe('cancelled');
    // ffmpeg was stopped, not waited for: once the run says cancelled, none of this process's encoders is left.
    expect(ffmpegChildren()).toEqual([]);
    expect(events.at(-1)).toMatchObject({ agent: 'pipeline', status: 'cancelled' });
    expect(events.some((e) => e.agent === 'compose' && e.status === 'completed')).toBe(false);
    const video = await fetch(links.video);
    expect(video.status).toBe(409);
    expect(await getMetadata(keys.video(runId as Id))).toBeNull();
    expect((await fetch(api(`/runs/${runId}/cancel`), { method: 'POST' })).status).toBe(409);
  });

  it('a queued run is cancelled at once', async () => {
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 1, 230);
    const runId = newId('r');
    await createRunState(newRun({ projectId: parseId(projectId), runId, request: {}, mediaIds: [] }));
    const response = await fetch(api(`/runs/${runId}/cancel`), { method: 'POST' });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ status: 'cancelled' });
    const state = (await (await fetch(api(`/runs/${runId}`))).json()) as RunState;
    expect(state.status).toBe('cancelled');
  });
});

describe('a killed invocation resumes', () => {
  it('killed mid-compose and invoked again, the run finishes with one coherent history and the same storyboard', async () => {
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 6, 300);
    const runId = newId('r');
    await createRunState(
      newRun({ projectId: parseId(projectId), runId, request: { durationSec: 24, resolution: '720p' }, mediaIds: [] }),
    );
    await appendProgress(parseId(projectId), runId, { agent: 'pipeline', status: 'queued', progress: 0 });

    // First invocation in its own process, killed (with its ffmpeg) part-way through compose.
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/run-pipeline.ts', projectId, runId],
      {
        cwd: ROOT,
        env: { ...process.env, SIRTRAV_LEASE_TTL_MS: String(LEASE_MS), LOG_LEVEL: 'warn' },
        stdio: 'ignore',
        detached: true,
      },
    );
    const exited = new Promise<void>((done) => child.on('exit', () => done()));
    await waitFor('compose to be under way', async () => {
      const { events } = await readProgress(projectId as Id, runId);
      return events.some((e) => e.agent === 'compose' && e.status === 'progress' && Number(e.data?.fraction) >= 0.2);
    });
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    const before = (await readJSON(keys.runStoryboard(projectId as Id, runId), storyboardDoc))!.value;
    expect(await getMetadata(keys.video(runId))).toBeNull();

    // Invoked again (as Netlify's retry or a resume would): the lease of the dead invocation must lapse first.
    await sleep(LEASE_MS + 300);
    const invoked = await fetch(`${server.current.url}/.netlify/functions/run-pipeline-background`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ projectId, runId, signature: '' }),
    });
    expect(invoked.status).toBe(202);
    const events: ProgressEvent[] = [];
    const final = await followProgress(api(`/runs/${runId}/progress`), { onEvent: (e) => events.push(e) });
    expect(final?.status).toBe('complete');

    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.every((e, i) => i === 0 || e.progress >= events[i - 1]!.progress)).toBe(true);
    const statuses = events.map((e) => `${e.agent}:${e.status}`);
    expect(statuses.filter((s) => s === 'pipeline:started')).toHaveLength(1);
    expect(statuses).toContain('pipeline:resumed');
    expect(statuses.filter((s) => s === 'director:completed')).toHaveLength(1);
    expect(statuses).toContain('director:reused');
    expect(statuses.filter((s) => s === 'compose:started')).toHaveLength(2);
    expect(statuses.filter((s) => s === 'compose:completed')).toHaveLength(1);
    expect(statuses.at(-1)).toBe('pipeline:complete');

    const after = (await readJSON(keys.runStoryboard(projectId as Id, runId), storyboardDoc))!.value;
    expect(after).toEqual(before);
    const state = (await (await fetch(api(`/runs/${runId}`))).json()) as RunState;
    expect(state.storyboard).toEqual(before);
    expect(state.attempts).toBe(2);
    const video = await fetch(api(`/runs/${runId}/video`));
    expect(video.status).toBe(200);
    expect((await video.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
  }, 180_000);

  it('a second invocation while the first holds the lease does nothing', async () => {
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 2, 330);
    const { runId, links } = await startRun(api, { durationSec: 6, resolution: '360p' });
    await fetch(`${server.current.url}/.netlify/functions/run-pipeline-background`, {
      method: 'POST',
      body: JSON.stringify({ projectId, runId, signature: '' }),
    });
    const events: ProgressEvent[] = [];
    const final = await followProgress(links.progress, { onEvent: (e) => events.push(e) });
    expect(final?.status).toBe('complete');
    expect(events.filter((e) => e.agent === 'compose' && e.status === 'completed')).toHaveLength(1);
    expect(
      events.filter((e) => e.agent === 'pipeline' && (e.status === 'started' || e.status === 'resumed')),
    ).toHaveLength(1);
  });
});
