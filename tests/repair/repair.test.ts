import { describe, expect, it } from 'vitest';
import { newId } from '../../src/new-id.js';
import { evaluationDoc } from '../../src/learning/evaluation-doc.js';
import { memoryIndexDoc } from '../../src/learning/memory.js';
import { uploadSessionDoc } from '../../src/media/upload-session.js';
import { leaseDoc } from '../../src/pipeline/index.js';
import { appendProgress, readProgress } from '../../src/progress/event-log.js';
import { readActiveMarker, readRunState, runStateDoc } from '../../src/runs/index.js';
import type { RepairReport } from '../../src/repair/index.js';
import { REPAIR_KINDS } from '../../src/repair/report.js';
import {
  getBinary,
  getMetadata,
  keys,
  openStore,
  putBinary,
  readJSON,
  STORE_IDS,
  writeJSON,
} from '../../src/storage/index.js';
import { makeCompleteRun, makeQueuedRun } from '../helpers/runs.js';
import { useLocalServer } from '../helpers/server.js';
import { tearBlob } from '../helpers/tear.js';

const server = useLocalServer();

/** Every stored blob and its etag, except the hourly request metrics, which any request (this one's too) adds to. */
async function snapshot(): Promise<string[]> {
  const all: string[] = [];
  for (const store of STORE_IDS)
    for await (const page of openStore(store).list({ paginate: true }))
      all.push(
        ...page.blobs
          .filter((b) => !(store === 'runs' && b.key.startsWith('ops/metrics/')))
          .map((b) => `${store}:${b.key}:${b.etag}`),
      );
  return all.sort();
}

async function repair(dryRun: boolean): Promise<RepairReport> {
  const response = await fetch(`${server.current.url}/api/admin/repair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dryRun }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as RepairReport;
}

const bytes = (n: number) => new Uint8Array(n).fill(7);

describe('repair', () => {
  it('a dry run reports each kind of planted inconsistency and changes nothing; the real run fixes them all', async () => {
    // A healthy complete run: video, poster, progress and memory entry all agree. Nothing of it may be reported.
    const { projectId } = await makeQueuedRun();
    const healthy = await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'acoustic' });
    await putBinary(keys.video(healthy), bytes(1000), { projectId, runId: healthy, bytes: 1000 });
    await appendProgress(projectId, healthy, { agent: 'pipeline', status: 'complete', progress: 1 });

    // Planted: a video and a poster of runs that never existed, and the video of a cancelled run.
    const ghost = newId('r');
    await putBinary(keys.video(ghost), bytes(10), { projectId, runId: ghost });
    await putBinary(keys.poster(ghost), bytes(10), { projectId, runId: ghost });
    const { projectId: cancelledProject, runId: cancelled, state: queued } = await makeQueuedRun();
    await writeJSON(keys.runState(cancelledProject, cancelled), runStateDoc, {
      ...queued,
      status: 'cancelled' as const,
      cancelRequested: true,
    });
    await putBinary(keys.video(cancelled), bytes(10), { projectId: cancelledProject, runId: cancelled });
    // Audio, progress and a lease of runs that do not exist.
    const gone = newId('r');
    await putBinary(keys.music(projectId, gone, 'wav'), bytes(10), { contentType: 'audio/wav' });
    await appendProgress(projectId, gone, { agent: 'pipeline', status: 'queued', progress: 0 });
    await writeJSON(keys.runLease(projectId, gone), leaseDoc, {
      owner: 'x',
      expiresAt: 0,
      acquiredAt: 0,
      released: true,
    });
    // A complete run whose video is not stored.
    const noVideo = await makeCompleteRun(projectId, { mood: 'happy', musicStyle: 'pop' });
    // A rating the memory index never heard of.
    const rated = await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'piano' });
    await putBinary(keys.video(rated), bytes(10), { projectId, runId: rated });
    const at = new Date().toISOString();
    await writeJSON(keys.evaluation(rated), evaluationDoc, {
      runId: rated,
      projectId,
      rating: 'good',
      comment: null,
      commentTrimmed: false,
      theme: 'Test',
      mood: 'calm',
      musicStyle: 'piano',
      durationSec: 20,
      completedAt: at,
      ratedAt: at,
    });
    // A queued run missing from the index of active runs (makeQueuedRun writes only its state).
    const { projectId: liveProject, runId: live } = await makeQueuedRun();
    // An expired upload never completed, and parts whose session is gone.
    const expired = newId('u');
    await writeJSON(keys.uploadSession(projectId, expired), uploadSessionDoc, {
      uploadId: expired,
      projectId,
      filename: 'a.jpg',
      bytes: 20,
      sha256: null,
      partSize: 10,
      partCount: 2,
      createdAt: '2020-01-01T00:00:00.000Z',
      expiresAt: '2020-01-02T00:00:00.000Z',
      mediaId: null,
    });
    await putBinary(keys.uploadPart(projectId, expired, 0), bytes(10), { uploadId: expired, n: 0 });
    const sessionless = newId('u');
    await putBinary(keys.uploadPart(projectId, sessionless, 0), bytes(10), { uploadId: sessionless, n: 0 });

    const before = await snapshot();
    const dry = await repair(true);
    expect(await snapshot()).toEqual(before);
    expect(dry.dryRun).toBe(true);
    expect(dry.complete).toBe(true);
    expect(dry.errors).toEqual([]);
    expect(dry.found).toEqual({
      orphanVideos: 3,
      orphanAudio: 1,
      orphanProgress: 1,
      orphanLeases: 1,
      orphanRunDocuments: 0,
      missingOutputs: 1,
      missingActiveMarkers: 2,
      unreadableRunStates: 0,
      unreadableProgressLogs: 0,
      memoryIndexMismatches: 1,
      staleUploads: 2,
    });
    expect(Object.values(dry.repaired).every((n) => n === 0)).toBe(true);
    expect(dry.items.some((item) => item.includes(healthy))).toBe(false);

    const real = await repair(false);
    expect(real.found).toEqual(dry.found);
    expect(real.repaired).toEqual(dry.found);
    const again = await repair(true);
    for (const kind of REPAIR_KINDS) expect(again.found[kind], kind).toBe(0);

    expect(await getMetadata(keys.video(ghost))).toBeNull();
    expect(await getMetadata(keys.poster(ghost))).toBeNull();
    expect(await getMetadata(keys.video(cancelled))).toBeNull();
    expect(await getMetadata(keys.video(healthy))).not.toBeNull();
    expect(await getMetadata(keys.music(projectId, gone, 'wav'))).toBeNull();
    expect(await getMetadata(keys.progress(projectId, gone))).toBeNull();
    expect(await getMetadata(keys.runLease(projectId, gone))).toBeNull();
    expect(await readRunState(projectId, noVideo)).toMatchObject({
      status: 'failed',
      error: { code: 'output_missing' },
    });
    const index = (await readJSON(keys.memoryIndex(projectId), memoryIndexDoc))!.value;
    expect(index.video_history.find((entry) => entry.runId === rated)?.rating).toBe('good');
    expect(await readActiveMarker(liveProject, live)).not.toBeNull();
    expect(await getMetadata(keys.uploadSession(projectId, expired))).toBeNull();
    expect(await getMetadata(keys.uploadPart(projectId, expired, 0))).toBeNull();
    expect(await getMetadata(keys.uploadPart(projectId, sessionless, 0))).toBeNull();
  });

  it('a run state and a progress log that fail their own checks: found by a dry run, then the run failed and the log rebuilt and ended', async () => {
    const { projectId, runId: lost } = await makeQueuedRun();
    await appendProgress(projectId, lost, { agent: 'pipeline', status: 'queued', progress: 0 });
    const stateRef = keys.runState(projectId, lost);
    const state = (await getBinary(stateRef))!;
    await tearBlob({
      directory: server.directory,
      ref: stateRef,
      tear: 'truncated-body',
      next: { body: state.data, metadata: state.metadata },
    });
    const ended = await makeCompleteRun(projectId, { mood: 'calm', musicStyle: 'piano' });
    await putBinary(keys.video(ended), bytes(10), { projectId, runId: ended });
    await appendProgress(
      projectId,
      ended,
      { agent: 'compose', status: 'started', progress: 0.8 },
      { agent: 'pipeline', status: 'complete', progress: 1 },
    );
    const logRef = keys.progress(projectId, ended);
    const log = (await getBinary(logRef))!;
    await tearBlob({
      directory: server.directory,
      ref: logRef,
      tear: 'truncated-body',
      next: { body: log.data, metadata: log.metadata },
    });

    const dry = await repair(true);
    expect(dry.found).toMatchObject({ unreadableRunStates: 1, unreadableProgressLogs: 1 });
    expect(dry.errors).toEqual([]);
    await expect(readRunState(projectId, lost)).rejects.toMatchObject({ name: 'CorruptBlobError' });

    const real = await repair(false);
    expect(real.repaired).toMatchObject({ unreadableRunStates: 1, unreadableProgressLogs: 1 });
    expect(await readRunState(projectId, lost)).toMatchObject({
      status: 'failed',
      error: { code: 'state_unreadable' },
    });
    const lostEvents = (await readProgress(projectId, lost)).events.map((e) => `${e.seq}:${e.status}`);
    expect(lostEvents).toEqual(['1:queued', '2:failed']);
    const endedEvents = await readProgress(projectId, ended);
    expect(endedEvents.events.map((e) => `${e.seq}:${e.status}`)).toEqual(['3:log_rebuilt', '4:complete']);
    expect(endedEvents.terminal).toBe(true);
    const again = await repair(true);
    expect(again.found).toMatchObject({ unreadableRunStates: 0, unreadableProgressLogs: 0 });
  });
});
