import { upsertHistoryEntry } from '../learning/memory.js';
import { entryFromCompletedRun } from '../learning/rebuild.js';
import { appendProgress } from '../progress/log.js';
import { clearActive } from '../runs/active.js';
import { isTerminal, type RunState } from '../schemas/run.js';

/**
 * What a run owes once its state is terminal, each part idempotent so it can be
 * done again after a crash: its terminal progress event (a closed log ignores a
 * second one), its memory-index entry when complete, and last the removal of its
 * active marker. The orchestrator calls it when it ends a run; the watchdog calls
 * it for a terminal run whose marker is still there.
 */
export async function settleRun(state: RunState, message?: string): Promise<void> {
  if (!isTerminal(state.status)) throw new Error(`settleRun needs a terminal run; ${state.runId} is ${state.status}`);
  await appendProgress(state.projectId, state.runId, {
    agent: 'pipeline',
    status: state.status,
    progress: state.status === 'complete' ? 1 : state.progress,
    message: message ?? (state.status === 'failed' ? state.error.message : state.status === 'complete' ? 'video ready' : 'run cancelled'),
  });
  if (state.status === 'complete') await upsertHistoryEntry(state.projectId, entryFromCompletedRun(state));
  await clearActive(state.projectId, state.runId);
}
