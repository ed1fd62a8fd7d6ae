import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendProgress } from '../../src/progress/event-log.js';
import { useBlobsFetch } from '../../src/storage/stores.js';
import { makeQueuedRun } from '../helpers/runs.js';
import { useLocalServer } from '../helpers/server.js';

// A long window and a short poll: an event held back would wait for the next connection, ~9 s later.
beforeAll(() => {
  vi.stubEnv('SIRTRAV_STREAM_WINDOW_MS', '9000');
  vi.stubEnv('SIRTRAV_PROGRESS_POLL_MS', '200');
});
afterAll(() => {
  vi.unstubAllEnvs();
  useBlobsFetch(undefined);
});

const server = useLocalServer();

describe('progress over SSE never holds an event back', () => {
  it('an event appended between the stream’s first read and its first poll reaches the client at once', async () => {
    const { projectId, runId } = await makeQueuedRun();
    await appendProgress(projectId, runId, { agent: 'director', status: 'started', progress: 0.1 });

    // The Blobs traffic passes through here: right after the stream's first read of the log has been
    // answered, and before the stream does anything else, another writer appends an event.
    let armed = false;
    let injectedAt = 0;
    useBlobsFetch(async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
      const response = await fetch(input, init);
      if (!armed || method !== 'GET' || !url.includes('sirtrav-progress') || !url.includes(runId)) return response;
      armed = false;
      const body = await response.arrayBuffer();
      await appendProgress(projectId, runId, {
        agent: 'director',
        status: 'progress',
        progress: 0.2,
        message: 'appended in between',
      });
      injectedAt = Date.now();
      return new Response(body, { status: response.status, headers: response.headers });
    });

    armed = true;
    const controller = new AbortController();
    const response = await fetch(`${server.current.url}/api/projects/${projectId}/runs/${runId}/progress`, {
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('appended in between')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const waitedMs = Date.now() - injectedAt;
    controller.abort();
    expect(armed).toBe(false);
    expect(text).toContain('id: 1\n');
    expect(text).toContain('id: 2\n');
    // One poll (200 ms) plus the machine's load; a held-back event would come with the next connection, 9 s on.
    expect(waitedMs).toBeLessThan(3000);
  });
});
