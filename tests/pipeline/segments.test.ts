import { setTimeout as sleep } from 'node:timers/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import { readSegmentPlan, viewSegment } from '../../src/pipeline/index.js';
import type { ProgressEvent } from '../../src/schemas/progress.js';
import { getVideo, keys, listKeyPages, parseId, type Id } from '../../src/storage/index.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { inspectMp4 } from '../helpers/mp4.js';
import { useLocalServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

// Long enough that a segment on a busy machine keeps its lease; short enough that a killed one is redone soon.
const LEASE_MS = 4000;

// Every segment here is a process of its own (as it is an invocation on Netlify); a short video is split in three.
beforeAll(() => {
  vi.stubEnv('SIRTRAV_LEASE_TTL_MS', String(LEASE_MS));
  vi.stubEnv('SIRTRAV_SEGMENT_SECONDS', '1.5');
  vi.stubEnv('SIRTRAV_SEGMENT_CONCURRENCY', '3');
});
afterAll(() => vi.unstubAllEnvs());

const server = useLocalServer();

/** Processes rendering a segment of this run, found by their command line, as `ps` would. */
function segmentProcesses(runId: string): Array<{ pid: number; segment: number }> {
  const found: Array<{ pid: number; segment: number }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const flag = args.indexOf('--sirtrav-segment');
    if (flag >= 0 && args[flag + 2] === runId) found.push({ pid: Number(entry), segment: Number(args[flag + 3]) });
  }
  return found;
}

async function startRun(
  api: (path: string) => string,
  body: object,
): Promise<{ runId: Id; links: { progress: string; video: string } }> {
  const response = await fetch(api('/runs'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  return (await response.json()) as { runId: Id; links: { progress: string; video: string } };
}

async function segmentBlobs(runId: Id): Promise<string[]> {
  const found: string[] = [];
  for await (const page of listKeyPages('videos', keys.segmentVideosPrefix(runId))) found.push(...page);
  return found;
}

/** Compose's overall progress as the client sees it. */
const composeProgress = (events: ProgressEvent[]) => events.filter((e) => e.agent === 'compose').map((e) => e.progress);

describe('a render split into segments across background invocations', () => {
  it('renders three segments in parallel and joins them into one video of exactly duration × fps frames', async () => {
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 5, 600);
    const { runId, links } = await startRun(api, { durationSec: 12, resolution: '720p' });
    const events: ProgressEvent[] = [];
    const final = await followProgress(links.progress, { onEvent: (event) => events.push(event) });
    expect(final?.status).toBe('complete');
    const plan = (await readSegmentPlan(parseId(projectId), runId))!;
    expect(plan.segments).toHaveLength(3);
    expect(events.find((e) => e.agent === 'compose' && e.status === 'completed')?.data).toMatchObject({ segments: 3 });
    const progress = composeProgress(events);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    for (const range of plan.segments)
      expect((await viewSegment(parseId(projectId), runId, range.index)).status).toMatchObject({
        state: 'done',
        attempts: 1,
      });

    const video = (await getVideo(runId))!.data;
    const facts = await inspectMp4(video);
    expect(facts).toMatchObject({ decodeErrors: '', video: 'h264', audio: 'aac', size: '1280x720' });
    expect(Math.abs(facts.durationSec - 12)).toBeLessThan(0.05);
    expect(await segmentBlobs(runId)).toEqual([]);
  }, 240_000);

  it('redoes only a segment whose process was SIGKILLed mid-render, and the run completes', async () => {
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 5, 620);
    const { runId, links } = await startRun(api, { durationSec: 12, resolution: '720p' });
    let killed: { pid: number; segment: number } | undefined;
    const deadline = Date.now() + 120_000;
    while (!killed && Date.now() < deadline) {
      for (const process_ of segmentProcesses(runId)) {
        const status = (await viewSegment(parseId(projectId), runId, process_.segment)).status;
        if (process_.segment === 1 && status?.state === 'rendering' && status.framesDone > 0) {
          process.kill(process_.pid, 'SIGKILL');
          killed = process_;
        }
      }
      await sleep(50);
    }
    expect(killed?.segment).toBe(1);
    const events: ProgressEvent[] = [];
    const final = await followProgress(links.progress, { onEvent: (event) => events.push(event) });
    expect(final?.status).toBe('complete');
    const attempts = await Promise.all(
      [0, 1, 2].map(async (i) => (await viewSegment(parseId(projectId), runId, i)).status?.attempts),
    );
    expect(attempts).toEqual([1, 2, 1]);
    expect(
      events.some((e) => e.agent === 'compose' && e.status === 'retrying' && /segment 2 of 3/.test(e.message ?? '')),
    ).toBe(true);
    const facts = await inspectMp4((await getVideo(runId))!.data);
    expect(facts.decodeErrors).toBe('');
    expect(Math.abs(facts.durationSec - 12)).toBeLessThan(0.05);
  }, 240_000);

  it('cancelled while segments render, ends cancelled with no segment running and none stored', async () => {
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 5, 640);
    const { runId, links } = await startRun(api, { durationSec: 12, resolution: '720p' });
    const deadline = Date.now() + 120_000;
    let rendering = false;
    while (!rendering && Date.now() < deadline) {
      const views = await Promise.all([0, 1, 2].map((i) => viewSegment(parseId(projectId), runId, i)));
      rendering = views.filter((view) => view.live && (view.status?.framesDone ?? 0) > 0).length >= 2;
      if (!rendering) await sleep(50);
    }
    expect(rendering).toBe(true);
    expect((await fetch(`${api(`/runs/${runId}/cancel`)}`, { method: 'POST' })).status).toBe(202);
    const final = await followProgress(links.progress, { onEvent: () => undefined });
    expect(final?.status).toBe('cancelled');
    // Once the run says it ended, no segment holds its lease (each stopped rendering first), and their processes are on their way out.
    for (const i of [0, 1, 2]) expect((await viewSegment(parseId(projectId), runId, i)).live).toBe(false);
    await waitFor('the segment processes to exit', async () => segmentProcesses(runId).length === 0, 10_000);
    expect(await segmentBlobs(runId)).toEqual([]);
    expect(await getVideo(runId)).toBeNull();
  }, 240_000);
});
