import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { toCancelled, updateRunState } from '../../src/runs/index.js';
import { followProgress } from '../../packages/client/src/index.js';
import { appendProgress } from '../../src/progress/event-log.js';
import type { ProgressEvent } from '../../src/schemas/progress.js';
import type { RunState } from '../../src/schemas/run.js';
import type { Id } from '../../src/storage/index.js';
import { makeQueuedRun } from '../helpers/runs.js';
import { rawRequest } from '../helpers/http.js';
import { useLocalServer } from '../helpers/server.js';

// Short windows so several reconnects happen within a test; production uses ~9 s.
beforeAll(() => {
  vi.stubEnv('SIRTRAV_STREAM_WINDOW_MS', '1000');
  vi.stubEnv('SIRTRAV_PROGRESS_POLL_MS', '50');
});
afterAll(() => vi.unstubAllEnvs());

const blobRequests: string[] = [];
const server = useLocalServer({ onBlobsRequest: ({ type, url }) => blobRequests.push(`${type} ${url}`) });

const progressUrl = (p: Id, r: Id) => `${server.current.url}/api/projects/${p}/runs/${r}/progress`;

async function finish(projectId: Id, runId: Id): Promise<void> {
  await updateRunState(projectId, runId, toCancelled);
  await appendProgress(projectId, runId, { agent: 'pipeline', status: 'cancelled', progress: 1 });
}

describe('progress over SSE', () => {
  it('a client joining mid-run and reconnecting across several windows gets every event once, in order, then done', async () => {
    const { projectId, runId } = await makeQueuedRun();
    for (let i = 0; i < 5; i++)
      await appendProgress(projectId, runId, { agent: 'director', status: 'progress', progress: i / 100 });

    const writer = (async () => {
      for (let i = 5; i < 60; i++) {
        await appendProgress(projectId, runId, {
          agent: 'compose',
          status: 'progress',
          progress: i / 100,
          data: { i },
        });
        await sleep(60);
      }
      await finish(projectId, runId);
    })();

    const received: ProgressEvent[] = [];
    const started = Date.now();
    const final = await followProgress(progressUrl(projectId, runId), { onEvent: (event) => received.push(event) });
    await writer;

    expect(Date.now() - started).toBeGreaterThan(3000); // spanned at least three 1 s windows
    expect(received.map((e) => e.seq)).toEqual(Array.from({ length: 61 }, (_, i) => i + 1));
    expect(received.at(-1)).toMatchObject({ agent: 'pipeline', status: 'cancelled' });
    expect(final).toMatchObject({ runId, status: 'cancelled' });
  });

  it('sends exact SSE bytes, resumes after Last-Event-ID, and answers 204 once the client has the end', async () => {
    const { projectId, runId } = await makeQueuedRun();
    const [first] = await appendProgress(projectId, runId, { agent: 'director', status: 'started', progress: 0.1 });
    await finish(projectId, runId);

    const response = await fetch(progressUrl(projectId, runId), {
      headers: { accept: 'text/event-stream', 'last-event-id': '0' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toContain('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const text = await response.text();
    const lines = text.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'retry: 1000',
      '',
      'event: progress',
      'id: 1',
      `data: ${JSON.stringify(first)}`,
      '',
    ]);
    expect(text).toMatch(
      /event: progress\nid: 2\ndata: \{[^\n]*"status":"cancelled"[^\n]*\}\n\nevent: done\ndata: \{[^\n]*"status":"cancelled"[^\n]*\}\n\n$/,
    );

    const resumed = await fetch(`${progressUrl(projectId, runId)}?lastEventId=1`, {
      headers: { accept: 'text/event-stream' },
    });
    const resumedText = await resumed.text();
    expect(resumedText).not.toContain('id: 1\n');
    expect(resumedText).toContain('id: 2\n');

    const after = await fetch(progressUrl(projectId, runId), {
      headers: { accept: 'text/event-stream', 'last-event-id': '2' },
    });
    expect(after.status).toBe(204);
    expect(await after.text()).toBe('');
  });

  it('a client behind the 200-event window gets a snapshot first, then the events still held', async () => {
    const { projectId, runId } = await makeQueuedRun();
    for (let i = 0; i < 25; i++) {
      await appendProgress(
        projectId,
        runId,
        ...Array.from({ length: 10 }, () => ({ agent: 'compose' as const, status: 'progress', progress: 0.5 })),
      );
    }
    await finish(projectId, runId);
    const snapshots: RunState[] = [];
    const received: number[] = [];
    await followProgress(progressUrl(projectId, runId), {
      lastEventId: 10,
      onEvent: (e) => received.push(e.seq),
      onSnapshot: (s) => snapshots.push(s),
    });
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]).toMatchObject({ runId });
    expect(received[0]).toBe(52);
    expect(received.at(-1)).toBe(251);
    expect(received).toHaveLength(200);
  });

  it('answers JSON without the event-stream Accept header', async () => {
    const { projectId, runId } = await makeQueuedRun();
    await appendProgress(
      projectId,
      runId,
      { agent: 'director', status: 'started', progress: 0.1 },
      { agent: 'director', status: 'completed', progress: 0.2 },
    );
    const response = await fetch(`${progressUrl(projectId, runId)}?lastEventId=1`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { events: ProgressEvent[]; dropped: number };
    expect(body.dropped).toBe(0);
    expect(body.events.map((e) => e.seq)).toEqual([2]);
  });

  it('unknown run is 404, bad ids and a bad Last-Event-ID are 400', async () => {
    const { projectId } = await makeQueuedRun();
    const unknown = await fetch(progressUrl(projectId, 'r_missing' as Id), {
      headers: { accept: 'text/event-stream' },
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('run_not_found');
    // A bare ".." segment is resolved by URL parsing (here and at Netlify's edge): a different, unknown route.
    for (const dots of ['..', '%2e%2e', '.%2E']) {
      const resolved = await rawRequest(server.current.url, `/api/projects/${projectId}/runs/${dots}/progress`);
      expect(resolved.status, dots).toBe(404);
      expect(JSON.parse(resolved.body)).toMatchObject({ error: { code: 'not_found' } });
    }
    for (const bad of ['%2e%2ex', 'a'.repeat(65), 'a%2Fb', 'a.b', '%00']) {
      const response = await rawRequest(server.current.url, `/api/projects/${projectId}/runs/${bad}/progress`);
      expect(response.status, bad).toBe(400);
      expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'invalid_id' } });
    }
    const { runId } = await makeQueuedRun();
    for (const lastEventId of ['abc', '-1', '1.5', '9'.repeat(20)]) {
      const badId = await fetch(progressUrl(projectId, runId), {
        headers: { accept: 'text/event-stream', 'last-event-id': lastEventId },
      });
      expect(badId.status, lastEventId).toBe(400);
      expect(await badId.json()).toMatchObject({ error: { code: 'invalid_last_event_id' } });
    }
  });

  it('stops polling as soon as the client hangs up', async () => {
    const { projectId, runId } = await makeQueuedRun();
    await appendProgress(projectId, runId, { agent: 'director', status: 'started', progress: 0.1 });
    const controller = new AbortController();
    const response = await fetch(progressUrl(projectId, runId), {
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    await sleep(200);
    const polls = () => blobRequests.filter((r) => r.includes(runId) && r.includes('progress.json')).length;
    expect(polls()).toBeGreaterThan(1);
    controller.abort();
    await sleep(150);
    const afterHangUp = polls();
    await sleep(400);
    expect(polls()).toBe(afterHangUp);
  });
});
