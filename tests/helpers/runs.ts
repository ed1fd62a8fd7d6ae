import { createProject } from '../../src/projects/index.js';
import { upsertHistoryEntry } from '../../src/learning/memory.js';
import { entryFromCompletedRun } from '../../src/learning/history.js';
import { createRunState, newRun, toCancelled, toComplete, toFailed, toRunning } from '../../src/runs/index.js';
import type { RunState } from '../../src/schemas/run.js';
import { newId } from '../../src/new-id.js';
import type { Id } from '../../src/storage/index.js';
import { oneShotStoryboard } from './storyboard.js';

/** A project with one queued run, written straight to storage. */
export async function makeQueuedRun(): Promise<{ projectId: Id; runId: Id; state: RunState }> {
  const { projectId } = await createProject('test');
  const state = newRun({ projectId, runId: newId('r'), request: {}, mediaIds: [] });
  await createRunState(state);
  return { projectId, runId: state.runId, state };
}

/** A complete run written straight to storage (no render), with the style facts learning needs. */
export async function makeCompleteRun(
  projectId: Id,
  facts: { mood: string; musicStyle: string; durationSec?: number; theme?: string; completedAt?: string },
): Promise<Id> {
  const at = new Date(facts.completedAt ?? Date.now());
  const durationSec = facts.durationSec ?? 20;
  const storyboard = oneShotStoryboard({
    theme: facts.theme ?? 'Test',
    mood: facts.mood,
    musicStyle: facts.musicStyle,
    durationSec,
    scenes: [{ index: 0, startedAt: null, place: null, shotCount: 1 }],
    choice: { source: 'request', reason: 'test' },
  });
  const queued = newRun({ projectId, runId: newId('r'), request: {}, mediaIds: [], now: at });
  const state = toComplete(toRunning(queued), storyboard, {
    video: { bytes: 1000, durationSec, width: 640, height: 360, videoCodec: 'h264', audioCodec: 'aac' },
  });
  await createRunState(state);
  // As the orchestrator does when a run completes.
  await upsertHistoryEntry(projectId, entryFromCompletedRun(state));
  return state.runId;
}

/** A run in the given state, created `ageMs` ago (its id carries that time), written straight to storage; with agent timings when given. */
export async function plantRun(
  projectId: Id,
  status: 'queued' | 'complete' | 'failed' | 'cancelled',
  ageMs: number,
  options: { webhookUrl?: string; timings?: Record<string, number> } = {},
): Promise<RunState> {
  const now = new Date(Date.now() - ageMs);
  const queued = newRun({
    projectId,
    runId: newId('r', now.getTime()),
    request: options.webhookUrl ? { webhookUrl: options.webhookUrl } : {},
    mediaIds: [],
    now,
  });
  const timed = {
    ...queued,
    timings: Object.fromEntries(
      Object.entries(options.timings ?? {}).map(([agent, ms]) => [agent, { startedAt: now.toISOString(), ms }]),
    ),
  };
  const storyboard = oneShotStoryboard({
    durationSec: 4,
    scenes: [{ index: 0, startedAt: null, place: null, shotCount: 1 }],
    choice: { source: 'request', reason: 'test' },
  });
  const state: RunState =
    status === 'complete'
      ? toComplete(toRunning(timed), storyboard, {
          video: { bytes: 1, durationSec: 4, width: 640, height: 360, videoCodec: 'h264', audioCodec: 'aac' },
        })
      : status === 'failed'
        ? toFailed(toRunning(timed), { code: 'x', message: 'x', retryable: false })
        : status === 'cancelled'
          ? toCancelled(timed)
          : timed;
  await createRunState(state);
  return state;
}
