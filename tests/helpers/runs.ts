import { createProject } from '../../src/projects/index.js';
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
