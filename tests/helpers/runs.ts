import { createProject } from '../../src/projects/index.js';
import { upsertHistoryEntry } from '../../src/learning/memory.js';
import { entryFromCompletedRun } from '../../src/learning/rebuild.js';
import { createRunState } from '../../src/runs/state.js';
import type { RunState } from '../../src/schemas/run.js';
import { newId } from '../../src/ids.js';
import type { Id } from '../../src/storage/index.js';

/** A project with one queued run, written straight to storage. */
export async function makeQueuedRun(): Promise<{ projectId: Id; runId: Id; state: RunState }> {
  const { projectId } = await createProject('test');
  const runId = newId('r');
  const now = new Date().toISOString();
  const state: RunState = {
    runId,
    projectId,
    status: 'queued',
    step: null,
    progress: 0,
    request: {},
    mediaIds: [],
    attempts: 0,
    cancelRequested: false,
    createdAt: now,
    updatedAt: now,
  };
  await createRunState(state);
  return { projectId, runId, state };
}

/** A complete run written straight to storage (no render), with the style facts learning needs. */
export async function makeCompleteRun(projectId: Id, facts: { mood: string; musicStyle: string; durationSec?: number; theme?: string; completedAt?: string }): Promise<Id> {
  const runId = newId('r');
  const at = facts.completedAt ?? new Date().toISOString();
  const durationSec = facts.durationSec ?? 20;
  const state: RunState = {
    runId,
    projectId,
    status: 'complete',
    step: null,
    progress: 1,
    request: {},
    mediaIds: [],
    attempts: 1,
    cancelRequested: false,
    storyboard: {
      theme: facts.theme ?? 'Test',
      mood: facts.mood,
      musicStyle: facts.musicStyle,
      durationSec,
      resolution: '360p',
      aspect: '16:9',
      width: 640,
      height: 360,
      transition: 'crossfade',
      title: null,
      curation: { skipped: [] },
      transitionSec: 0.5,
      shots: [{ mediaId: 'm_fixture' as Id, startSec: 0, durationSec, motion: 'zoom-in', scene: 0, caption: null, place: null, framing: 'crop', focus: null }],
      scenes: [{ index: 0, startedAt: null, place: null, shotCount: 1 }],
      narration: { enabled: false, script: '' },
      tempoBpm: 90,
      choice: { source: 'request', reason: 'test' },
      provider: 'local',
    },
    outputs: { video: { bytes: 1000, durationSec, width: 640, height: 360, videoCodec: 'h264', audioCodec: 'aac' } },
    createdAt: at,
    updatedAt: at,
  };
  await createRunState(state);
  // As the orchestrator does when a run completes.
  await upsertHistoryEntry(projectId, entryFromCompletedRun(state as Extract<RunState, { status: 'complete' }>));
  return runId;
}
