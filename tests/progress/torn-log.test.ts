import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import { appendProgress, progressLogDoc, progressVersion, readProgress } from '../../src/progress/event-log.js';
import { toCancelled } from '../../src/runs/lifecycle.js';
import { updateRunState } from '../../src/runs/state.js';
import type { ProgressEvent } from '../../src/schemas/progress.js';
import { encodeDocument, getBinary, keys, type Id } from '../../src/storage/index.js';
import { makeQueuedRun } from '../helpers/runs.js';
import { useLocalServer } from '../helpers/server.js';
import { tearBlob } from '../helpers/tear.js';

beforeAll(() => {
  vi.stubEnv('SIRTRAV_STREAM_WINDOW_MS', '1000');
  vi.stubEnv('SIRTRAV_PROGRESS_POLL_MS', '50');
});
afterAll(() => vi.unstubAllEnvs());

const server = useLocalServer();
const progressUrl = (p: Id, r: Id) => `${server.current.url}/api/projects/${p}/runs/${r}/progress`;

async function runWithEvents(count: number) {
  const { projectId, runId } = await makeQueuedRun();
  for (let i = 0; i < count; i++)
    await appendProgress(projectId, runId, { agent: 'voice', status: 'progress', progress: i / 100 });
  return { projectId, runId, ref: keys.progress(projectId, runId) };
}

describe('a progress log a crash tore', () => {
  it('the append a kill cut off before its metadata reads whole, and the SSE stream answers 200 through to done', async () => {
    const { projectId, runId, ref } = await runWithEvents(3);
    const stored = (await getBinary(ref))!;
    // The next append (the terminal event) got its body down, then the host died: the metadata file is half there.
    const log = (await readProgress(projectId, runId)).events;
    const now = new Date().toISOString();
    const terminal: ProgressEvent = { seq: 4, ts: now, agent: 'pipeline', status: 'cancelled', progress: 1 };
    const next = encodeDocument(
      progressLogDoc,
      { projectId, runId, events: [...log, terminal], lastSeq: 4, dropped: 0, terminal: true },
      { createdAt: now, updatedAt: now },
    );
    await tearBlob({
      directory: server.directory,
      ref,
      tear: 'half-metadata',
      next: { body: next.body, metadata: next.meta },
    });
    expect(stored.metadata.lastSeq).toBe(3);
    expect(await progressVersion(projectId, runId)).toBe('undefined@undefined');
    await updateRunState(projectId, runId, toCancelled);

    const received: number[] = [];
    const final = await followProgress(progressUrl(projectId, runId), { onEvent: (event) => received.push(event.seq) });
    expect(received).toEqual([1, 2, 3, 4]);
    expect(final).toMatchObject({ status: 'cancelled' });
    const view = await readProgress(projectId, runId);
    expect(view.events.filter((e) => e.status === 'cancelled')).toHaveLength(1);
    expect(await progressVersion(projectId, runId)).toBe(`${next.meta.sha256}@${now}`);
  });

  it('a log whose body fails its checks is rebuilt once: numbering goes on after the last seq, the lost events count as dropped', async () => {
    const { projectId, runId, ref } = await runWithEvents(5);
    const stored = (await getBinary(ref))!;
    await tearBlob({
      directory: server.directory,
      ref,
      tear: 'truncated-body',
      next: { body: stored.data, metadata: stored.metadata },
    });

    const response = await fetch(progressUrl(projectId, runId), { headers: { 'last-event-id': '2' } });
    expect(response.status).toBe(200);
    await response.body?.cancel();
    const view = await readProgress(projectId, runId);
    expect(view).toMatchObject({ lastSeq: 6, dropped: 5, terminal: false, firstSeq: 6 });
    expect(view.events).toEqual([expect.objectContaining({ seq: 6, agent: 'pipeline', status: 'log_rebuilt' })]);

    const [appended] = await appendProgress(projectId, runId, { agent: 'compose', status: 'started', progress: 0.5 });
    expect(appended?.seq).toBe(7);
    await updateRunState(projectId, runId, toCancelled);
    const received: ProgressEvent[] = [];
    await followProgress(progressUrl(projectId, runId), { lastEventId: 5, onEvent: (event) => received.push(event) });
    expect(received.map((e) => `${e.seq}:${e.status}`)).toEqual(['6:log_rebuilt', '7:started', '8:cancelled']);
  });
});
