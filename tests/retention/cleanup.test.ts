import { beforeEach, describe, expect, it } from 'vitest';
import {
  archiveDoc,
  atStep,
  newRun,
  readArchive,
  runStateDoc,
  storyboardDoc,
  toComplete,
  toRunning,
} from '../../src/runs/index.js';
import { evaluationDoc } from '../../src/learning/evaluation-doc.js';
import { recordMediaUse } from '../../src/media/usage.js';
import { progressLogDoc } from '../../src/progress/event-log.js';
import { archivedRunResponseSchema } from '../../src/schemas/archive.js';
import { SirTravClient } from '../../packages/client/src/index.js';
import { runCleanup, type CleanupReport } from '../../src/retention/cleanup.js';
import { newId } from '../../src/new-id.js';
import type { RunState, StartRunBody } from '../../src/schemas/run.js';
import {
  STORE_IDS,
  getMetadata,
  importMarkerDoc,
  keys,
  openStore,
  parseId,
  putBinary,
  writeJSON,
  type BlobRef,
  type Id,
} from '../../src/storage/index.js';
import { createProject } from '../../src/projects/index.js';
import { useLocalServer } from '../helpers/server.js';
import { oneShotStoryboard } from '../helpers/storyboard.js';

const server = useLocalServer();
const DAY = 86_400_000;
const NOW = new Date();
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);

async function wipe(): Promise<void> {
  for (const store of STORE_IDS)
    for await (const page of openStore(store).list({ paginate: true }))
      for (const blob of page.blobs) await openStore(store).delete(blob.key);
}
beforeEach(wipe);

const storyboard = oneShotStoryboard({
  theme: 'Old trip',
  mediaId: parseId('m_a'),
  scenes: [{ index: 0, startedAt: null, place: null, shotCount: 1 }],
  narration: { enabled: true, script: 'Hello.' },
  tempoBpm: 80,
});

/** A run as the pipeline leaves it, every blob stamped `days` ago. */
async function seedRun(
  projectId: Id,
  days: number,
  status: 'complete' | 'running' = 'complete',
  mediaIds: Id[] = [],
  request: StartRunBody = {},
): Promise<{ runId: Id; refs: Record<string, BlobRef> }> {
  const runId = newId('r', ago(days).getTime());
  const at = ago(days);
  const running = toRunning(newRun({ projectId, runId, request, mediaIds, now: at }));
  const state: RunState =
    status === 'complete'
      ? toComplete(running, storyboard, {
          video: { bytes: 3, durationSec: 6, width: 640, height: 360, videoCodec: 'h264', audioCodec: 'aac' },
        })
      : atStep({ ...running, storyboard }, 'compose', 0.5);
  const refs = {
    state: keys.runState(projectId, runId),
    storyboard: keys.runStoryboard(projectId, runId),
    progress: keys.progress(projectId, runId),
    voice: keys.voice(projectId, runId, 'wav'),
    music: keys.music(projectId, runId, 'wav'),
    video: keys.video(runId),
    evaluation: keys.evaluation(runId),
  };
  await writeJSON(refs.state, runStateDoc, state, { at });
  await writeJSON(refs.storyboard, storyboardDoc, storyboard, { at });
  await writeJSON(
    refs.progress,
    progressLogDoc,
    {
      projectId,
      runId,
      events: [{ seq: 1, ts: at.toISOString(), agent: 'pipeline', status: 'started', progress: 0 }],
      lastSeq: 1,
      dropped: 0,
      terminal: false,
    },
    { at },
  );
  await putBinary(refs.voice, new Uint8Array([1, 2]), { createdAt: at.toISOString() });
  await putBinary(refs.music, new Uint8Array([3, 4]), { createdAt: at.toISOString() });
  if (status === 'complete') {
    await putBinary(refs.video, new Uint8Array([5, 6, 7]), { createdAt: at.toISOString(), runId });
    await writeJSON(
      refs.evaluation,
      evaluationDoc,
      {
        runId,
        projectId,
        rating: 'good',
        comment: null,
        commentTrimmed: false,
        theme: 'Old trip',
        mood: 'calm',
        musicStyle: 'acoustic',
        durationSec: 6,
        completedAt: at.toISOString(),
        ratedAt: at.toISOString(),
      },
      { at },
    );
  }
  return { runId, refs };
}

const exists = async (ref: BlobRef) => (await getMetadata(ref)) !== null;
async function present(refs: Record<string, BlobRef>): Promise<string[]> {
  const names: string[] = [];
  for (const [name, ref] of Object.entries(refs)) if (await exists(ref)) names.push(name);
  return names.sort();
}

async function everyKey(): Promise<string[]> {
  const all: string[] = [];
  for (const store of STORE_IDS)
    for await (const page of openStore(store).list({ paginate: true }))
      all.push(...page.blobs.map((b) => `${store}:${b.key}:${b.etag}`));
  return all.sort();
}

const ALL = ['evaluation', 'music', 'progress', 'state', 'storyboard', 'video', 'voice'];

describe('retention', () => {
  it('progress goes at 30 days, run documents and audio at 90 with an archive record; videos, evaluations and live runs stay; a dry run changes nothing', async () => {
    const projectId = 'p_retention' as Id;
    const young = await seedRun(projectId, 10);
    const middle = await seedRun(projectId, 40);
    const old = await seedRun(projectId, 100);
    const live = await seedRun(projectId, 100, 'running');

    const before = await everyKey();
    const dry = await runCleanup({ now: NOW, dryRun: true, budgetMs: 60_000 });
    expect(await everyKey()).toEqual(before);

    const real = await runCleanup({ now: NOW, dryRun: false, budgetMs: 60_000 });
    const comparable = (r: CleanupReport) => ({
      deleted: r.deleted,
      archived: r.archived,
      kept: r.kept,
      examined: r.examined,
      complete: r.complete,
      errors: r.errors,
    });
    expect(comparable(dry)).toEqual(comparable(real));
    expect(real).toMatchObject({
      complete: true,
      errors: [],
      deleted: { progress: 2, runs: 1, runDocuments: 2, audio: 2, media: 0, uploads: 0 },
      archived: 1,
      kept: { active: 2, unreadable: 0, recent: { progress: 1, runs: 2 } },
    });

    expect(await present(young.refs)).toEqual(ALL);
    expect(await present(middle.refs)).toEqual(ALL.filter((n) => n !== 'progress'));
    expect(await present(old.refs)).toEqual(['evaluation', 'video']);
    expect(await present(live.refs)).toEqual(['music', 'progress', 'state', 'storyboard', 'voice']);
    expect(await readArchive(projectId, old.runId)).toMatchObject({
      runId: old.runId,
      status: 'complete',
      rating: 'good',
      archive_reason: 'retention_expired',
      storyboard: { theme: 'Old trip', mood: 'calm', musicStyle: 'acoustic', durationSec: 6, shots: 1 },
      video: { bytes: 3 },
    });
    // The report is kept and the pass is idempotent.
    expect(await getMetadata(keys.cleanupReport(NOW.toISOString().slice(0, 10)))).not.toBeNull();
    expect((await runCleanup({ now: NOW, dryRun: false, budgetMs: 60_000 })).deleted).toEqual({
      progress: 0,
      runs: 0,
      runDocuments: 0,
      audio: 0,
      media: 0,
      uploads: 0,
      shares: 0,
    });
  });

  it('leaves a project an import is still writing alone, and judges it once the import is done', async () => {
    const { projectId } = await createProject('importing');
    const old = await seedRun(projectId, 100);
    await writeJSON(keys.importMarker(projectId), importMarkerDoc, {
      importId: newId('i'),
      startedAt: NOW.toISOString(),
    });
    const during = await runCleanup({ now: NOW, dryRun: false, budgetMs: 60_000 });
    expect(during.deleted).toMatchObject({ progress: 0, runs: 0, runDocuments: 0, audio: 0 });
    expect(during.kept.importing).toBeGreaterThanOrEqual(2);
    expect(await present(old.refs)).toEqual(ALL);

    await openStore('runs').delete(keys.importMarker(projectId).key);
    const after = await runCleanup({ now: NOW, dryRun: false, budgetMs: 60_000 });
    expect(after.deleted).toMatchObject({ progress: 1, runs: 1 });
    expect(await present(old.refs)).toEqual(['evaluation', 'video']);
  });

  it('a blob without usable metadata is reported and kept', async () => {
    const key = 'projects/p_broken/runs/r_broken/progress.json';
    await openStore('progress').set(key, '{"events":[]}');
    await openStore('runs').set('projects/p_broken/runs/r_broken/state.json', '{}', {
      metadata: { updatedAt: 'yesterday-ish' },
    });
    const report = await runCleanup({ now: NOW, dryRun: false, budgetMs: 60_000 });
    expect(report.unreadable).toEqual([
      { store: 'sirtrav-progress', key, reason: 'no usable updatedAt in metadata' },
      {
        store: 'sirtrav-runs',
        key: 'projects/p_broken/runs/r_broken/state.json',
        reason: 'no usable status or updatedAt in metadata',
      },
    ]);
    expect(report.kept.unreadable).toBe(2);
    expect(await openStore('progress').get(key)).toBe('{"events":[]}');
  });

  it('photos go 90 days after their last use unless a live run needs them; unfinished uploads go after a day', async () => {
    const projectId = 'p_media' as Id;
    const photo = (id: string, days: number) =>
      putBinary(keys.media(projectId, id as Id), new Uint8Array([9]), {
        uploadedAt: ago(days).toISOString(),
        createdAt: ago(days).toISOString(),
      });
    await photo('m_unused', 100);
    await photo('m_recent_use', 100);
    await photo('m_live', 100);
    await photo('m_new', 5);
    await recordMediaUse(projectId, ['m_recent_use'], ago(5).toISOString());
    await seedRun(projectId, 1, 'running', ['m_live' as Id]);
    const upload = async (id: string, days: number) => {
      await putBinary(
        { store: 'media', key: `projects/${projectId}/uploads/${id}/session.json`, maxBytes: 1e6 },
        new Uint8Array([1]),
        {
          createdAt: ago(days).toISOString(),
        },
      );
      await putBinary(
        { store: 'media', key: `projects/${projectId}/uploads/${id}/parts/0000`, maxBytes: 1e6 },
        new Uint8Array([1]),
        {
          createdAt: ago(days).toISOString(),
        },
      );
    };
    await upload('u_stale', 2);
    await upload('u_fresh', 0.1);

    const report = await runCleanup({ now: NOW, dryRun: false, budgetMs: 60_000 });
    expect(report.deleted).toMatchObject({ media: 1, uploads: 1 });
    const remaining: string[] = [];
    for await (const page of openStore('media').list({ prefix: `projects/${projectId}/`, paginate: true }))
      remaining.push(...page.blobs.map((b) => b.key.slice(`projects/${projectId}/`.length)));
    expect(remaining.sort()).toEqual([
      'media/m_live',
      'media/m_new',
      'media/m_recent_use',
      'media_usage.json',
      'uploads/u_fresh/parts/0000',
      'uploads/u_fresh/session.json',
    ]);
  });

  it('an interrupted pass (time budget forced low) finishes over several invocations with the same end result', async () => {
    const seeded = [];
    for (const projectId of ['p_i1', 'p_i2', 'p_i3'] as Id[]) {
      seeded.push({
        projectId,
        young: await seedRun(projectId, 10),
        middle: await seedRun(projectId, 40),
        old: await seedRun(projectId, 100),
        live: await seedRun(projectId, 100, 'running'),
      });
    }
    const reports: CleanupReport[] = [];
    for (let i = 0; i < 100; i++) {
      const report = await runCleanup({ now: NOW, dryRun: false, budgetMs: 0 });
      reports.push(report);
      if (report.complete) break;
    }
    expect(reports.length).toBeGreaterThan(5);
    expect(reports.at(-1)!.complete).toBe(true);
    expect(reports.slice(0, -1).every((r) => r.cursor !== null && !r.complete)).toBe(true);
    expect(reports.flatMap((r) => r.errors)).toEqual([]);
    const total = (field: 'progress' | 'runs' | 'audio') => reports.reduce((sum, r) => sum + r.deleted[field], 0);
    expect({ progress: total('progress'), runs: total('runs'), audio: total('audio') }).toEqual({
      progress: 6,
      runs: 3,
      audio: 6,
    });
    for (const { projectId, young, middle, old, live } of seeded) {
      expect(await present(young.refs)).toEqual(ALL);
      expect(await present(middle.refs)).toEqual(ALL.filter((n) => n !== 'progress'));
      expect(await present(old.refs)).toEqual(['evaluation', 'video']);
      expect(await present(live.refs)).toEqual(['music', 'progress', 'state', 'storyboard', 'voice']);
      expect(await readArchive(projectId, old.runId)).not.toBeNull();
    }
    expect(await getMetadata(keys.cleanupCursor())).toBeNull();
  });

  it('POST /api/admin/cleanup runs the same core and answers the CleanupReport', async () => {
    await seedRun('p_admin' as Id, 40);
    const dry = await fetch(`${server.current.url}/api/admin/cleanup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dryRun: true }),
    });
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({
      dryRun: true,
      deleted: { progress: 1, runs: 0, audio: 0, media: 0 },
      archived: 0,
      kept: expect.any(Object),
      errors: [],
    });
    const later = await fetch(`${server.current.url}/api/admin/cleanup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dryRun: true, now: new Date(NOW.getTime() + 60 * DAY).toISOString() }),
    });
    expect(await later.json()).toMatchObject({ deleted: { progress: 1, runs: 1, audio: 2 }, archived: 1 });
    expect(
      (
        await fetch(`${server.current.url}/api/admin/cleanup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"dryRun":"yes"}',
        })
      ).status,
    ).toBe(400);
    const scheduled = await fetch(`${server.current.url}/.netlify/functions/retention-scheduled`, { method: 'POST' });
    expect(scheduled.status).toBe(200);
    expect(await scheduled.json()).toMatchObject({ complete: true });
  });

  it('a video is still served after its run documents expired: authorised through the archive record, listed as archived', async () => {
    const { projectId } = await createProject('archived');
    const { runId, refs } = await seedRun(projectId, 120);
    const report = await runCleanup({ now: NOW, dryRun: false, budgetMs: 20_000 });
    expect(report.archived).toBe(1);
    expect(await exists(refs.state!)).toBe(false);
    expect(await exists(refs.video!)).toBe(true);

    const base = `${server.current.url}/api/projects/${projectId}/runs`;
    const video = await fetch(`${base}/${runId}/video`);
    expect(video.status).toBe(200);
    expect(video.headers.get('content-type')).toBe('video/mp4');
    expect([...new Uint8Array(await video.arrayBuffer())]).toEqual([5, 6, 7]);
    const part = await fetch(`${base}/${runId}/video`, { headers: { range: 'bytes=1-' } });
    expect(part.status).toBe(206);
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([6, 7]);
    // Another project cannot reach it through its own (absent) archive.
    expect((await fetch(`${server.current.url}/api/projects/${newId('p')}/runs/${runId}/video`)).status).toBe(404);

    const list = (await (await fetch(base)).json()) as {
      runs: Array<{ runId: string; status: string; archived?: boolean; theme: string | null }>;
    };
    expect(list.runs).toEqual([
      expect.objectContaining({ runId, status: 'complete', archived: true, theme: 'Old trip' }),
    ]);
  });

  it('an archived run still answers GET …/runs/{runId}: the RunState its archive record fills, marked archived', async () => {
    const { projectId } = await createProject('archived state');
    const request = { theme: 'Old trip', durationSec: 6, resolution: '360p' } as const;
    const { runId } = await seedRun(projectId, 120, 'complete', [], request);
    expect((await runCleanup({ now: NOW, dryRun: false, budgetMs: 20_000 })).archived).toBe(1);
    const base = `${server.current.url}/api/projects/${projectId}/runs`;

    const response = await fetch(`${base}/${runId}`);
    expect(response.status).toBe(200);
    const body = archivedRunResponseSchema.parse(await response.json());
    expect(body).toMatchObject({
      runId,
      projectId,
      status: 'complete',
      step: null,
      progress: 1,
      request,
      outputs: { video: { bytes: 3, durationSec: 6, width: 640, height: 360 } },
      archived: true,
      archive: { archive_reason: 'retention_expired', rating: 'good', storyboard: { theme: 'Old trip', shots: 1 } },
    });
    expect(body.createdAt).toBe(ago(120).toISOString());
    expect(body.error).toBeUndefined();
    // Its links still lead to the video.
    const video = await fetch(body.links.video);
    expect([...new Uint8Array(await video.arrayBuffer())]).toEqual([5, 6, 7]);
    // The typed client tells an archived run from a live one.
    const client = new SirTravClient({ baseUrl: server.current.url }).forProject(projectId);
    expect(await client.getRun(runId)).toMatchObject({ runId, archived: true, status: 'complete' });
    // Only its own project knows it.
    const other = await fetch(`${server.current.url}/api/projects/${newId('p')}/runs/${runId}`);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error: { code: 'run_not_found' } });
  });

  it('an archive record written before requests were archived is served with what it holds', async () => {
    const { projectId } = await createProject('old archive');
    const runId = newId('r', ago(200).getTime());
    await writeJSON(keys.archive(projectId, runId), archiveDoc, {
      runId,
      projectId,
      status: 'failed',
      createdAt: ago(200).toISOString(),
      finishedAt: ago(199).toISOString(),
      timings: null,
      providers: null,
      storyboard: null,
      video: null,
      error: { code: 'render_failed', message: 'ffmpeg exited with 1' },
      rating: null,
      archive_reason: 'retention_expired',
      archivedAt: ago(100).toISOString(),
    });
    const response = await fetch(`${server.current.url}/api/projects/${projectId}/runs/${runId}`);
    expect(response.status).toBe(200);
    const body = archivedRunResponseSchema.parse(await response.json());
    expect(body).toMatchObject({
      status: 'failed',
      progress: 0,
      request: {},
      archived: true,
      updatedAt: ago(199).toISOString(),
    });
    expect(body.error).toEqual({ code: 'render_failed', message: 'ffmpeg exited with 1', retryable: false });
    expect(body.outputs).toBeUndefined();
    const video = await fetch(`${server.current.url}/api/projects/${projectId}/runs/${runId}/video`);
    expect(video.status).toBe(409);
  });
});
