import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import { leaseDoc, readLease, settleRun } from '../../src/pipeline/index.js';
import { readProgress } from '../../src/progress/event-log.js';
import { changeRunState, readRunState } from '../../src/runs/index.js';
import type { RunState } from '../../src/schemas/run.js';
import { getVideo, keys, putBinary, writeJSON, type Id } from '../../src/storage/index.js';
import { useBlobsFetch } from '../../src/storage/stores.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { inspectMp4 } from '../helpers/mp4.js';
import { makeCompleteRun } from '../helpers/runs.js';
import { useLocalServer } from '../helpers/server.js';

const server = useLocalServer();
const requestOf = (input: RequestInfo | URL, init?: RequestInit) => ({
  url: input instanceof Request ? input.url : String(input),
  method: (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase(),
});

afterEach(() => useBlobsFetch(undefined));
afterAll(() => useBlobsFetch(undefined));

async function startRun(
  api: (path: string) => string,
  body: object,
): Promise<{ runId: Id; links: { progress: string } }> {
  const response = await fetch(api('/runs'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  return (await response.json()) as { runId: Id; links: { progress: string } };
}

describe('a run survives its own failures', () => {
  it('progress writes that fail mid-render do not fail the render, crash nothing, and the run state follows compose', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const { api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 2, 700);
    // From the start until the video is stored, every write to the progress store answers 500.
    let failing = true;
    let failed = 0;
    useBlobsFetch(async (input, init) => {
      const { url, method } = requestOf(input, init);
      if (failing && method === 'PUT' && url.includes('sirtrav-progress')) {
        failed++;
        return new Response('injected failure', { status: 500 });
      }
      if (method === 'PUT' && url.includes('sirtrav-videos') && url.includes('final.mp4')) failing = false;
      return fetch(input, init);
    });
    // Long enough for compose to be seen at work: at 8 s it spent a few hundred milliseconds past halfway.
    const { runId } = await startRun(api, { durationSec: 20, resolution: '360p', narration: false });
    const seen: Array<Pick<RunState, 'status' | 'step' | 'progress'>> = [];
    let state: RunState;
    for (;;) {
      state = (await (await fetch(api(`/runs/${runId}`))).json()) as RunState;
      seen.push({ status: state.status, step: state.step, progress: state.progress });
      if (state.status !== 'queued' && state.status !== 'running') break;
      await sleep(50);
    }
    process.off('unhandledRejection', onUnhandled);
    expect(state.status).toBe('complete');
    expect(failed).toBeGreaterThan(3);
    expect(unhandled).toEqual([]);
    // While it rendered, the state said so: compose, with progress moving past the audio steps' share.
    expect(seen.some((s) => s.status === 'running' && s.step === 'compose' && s.progress > 0.5 && s.progress < 1)).toBe(
      true,
    );
    const progress = seen.map((s) => s.progress);
    expect(progress.every((p, i) => i === 0 || p >= progress[i - 1]!)).toBe(true);
    const video = await fetch(api(`/runs/${runId}/video`));
    expect(video.status).toBe(200);
    expect((await inspectMp4(new Uint8Array(await video.arrayBuffer()))).decodeErrors).toBe('');
    const { events } = await readProgress(state.projectId, runId);
    expect(events.at(-1)).toMatchObject({ agent: 'pipeline', status: 'complete' });
  });

  it('an invocation that lost its lease stops and deletes nothing of the run another invocation finished', async () => {
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 2, 720);
    const { runId } = await startRun(api, { durationSec: 20, resolution: '360p', narration: false });
    for (;;) {
      const { events } = await readProgress(projectId as Id, runId);
      if (events.some((e) => e.agent === 'compose' && e.status === 'started')) break;
      await sleep(50);
    }
    // Another invocation took the lease over (this one's had lapsed, as after a long pause) and finished the run.
    await writeJSON(keys.runLease(projectId as Id, runId), leaseDoc, {
      owner: 'another-invocation',
      expiresAt: Date.now() + 120_000,
      acquiredAt: Date.now(),
      released: false,
    });
    const theirs = new TextEncoder().encode('the other invocation’s video');
    await putBinary(keys.video(runId), theirs, {
      contentType: 'video/mp4',
      projectId,
      runId,
      bytes: theirs.byteLength,
    });
    const { state, changed } = await changeRunState(
      projectId as Id,
      runId,
      (current) =>
        ({
          ...current,
          status: 'complete',
          step: null,
          progress: 1,
          outputs: {
            video: {
              bytes: theirs.byteLength,
              durationSec: 20,
              width: 640,
              height: 360,
              videoCodec: 'h264',
              audioCodec: 'aac',
            },
          },
        }) as RunState,
    );
    expect(changed).toBe(true);
    await settleRun(state);

    await server.current.idle();
    expect(new TextDecoder().decode((await getVideo(runId))!.data)).toBe('the other invocation’s video');
    expect(await readRunState(projectId as Id, runId)).toMatchObject({
      status: 'complete',
      outputs: { video: { bytes: theirs.byteLength } },
    });
    expect(await readLease(projectId as Id, runId)).toMatchObject({ owner: 'another-invocation', released: false });
    const { events } = await readProgress(projectId as Id, runId);
    const ends = events.filter((e) => e.agent === 'pipeline' && ['complete', 'failed', 'cancelled'].includes(e.status));
    expect(ends.map((e) => e.status)).toEqual(['complete']);
    expect(events.some((e) => e.agent === 'compose' && e.status === 'completed')).toBe(false);
  });

  it('cancel racing completion: a finished run answers 409 run_finished and nothing is appended', async () => {
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    const runId = await makeCompleteRun(projectId as Id, { mood: 'calm', musicStyle: 'acoustic' });
    await settleRun((await readRunState(projectId as Id, runId))!);
    const before = await readProgress(projectId as Id, runId);
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => fetch(api(`/runs/${runId}/cancel`), { method: 'POST' })),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(409);
      expect(await answer.json()).toMatchObject({ error: { code: 'run_finished' } });
    }
    expect((await readProgress(projectId as Id, runId)).lastSeq).toBe(before.lastSeq);
    expect((await readRunState(projectId as Id, runId))!.cancelRequested).toBe(false);
  });

  it('a cancel that arrives while the run completes either cancels it or gets 409, never both, and the history ends once', async () => {
    const { projectId, api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 1, 740);
    const { runId, links } = await startRun(api, { durationSec: 4, resolution: '360p', narration: false });
    let cancelAnswer = 0;
    const final = await followProgress(links.progress, {
      onEvent: (event) => {
        if (event.agent === 'compose' && event.status === 'completed') {
          fetch(api(`/runs/${runId}/cancel`), { method: 'POST' }).then(
            (r) => (cancelAnswer = r.status),
            () => undefined,
          );
        }
      },
    });
    await server.current.idle();
    await sleep(300);
    const { events } = await readProgress(projectId as Id, runId);
    const ends = events.filter((e) => e.agent === 'pipeline' && ['complete', 'failed', 'cancelled'].includes(e.status));
    expect(ends).toHaveLength(1);
    expect(ends[0]!.status).toBe(final!.status);
    if (final!.status === 'complete') {
      expect(cancelAnswer).toBe(409);
      expect(events.some((e) => e.status === 'cancelling')).toBe(false);
      expect(await getVideo(runId)).not.toBeNull();
    } else {
      expect(cancelAnswer).toBe(202);
      expect(await getVideo(runId)).toBeNull();
    }
  });
});
