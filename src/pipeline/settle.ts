import { learningHooks } from '../learning/hooks.js';
import { onRunEnded } from '../runs/ended.js';
import { appendProgress } from '../progress/event-log.js';
import { clearActive } from '../runs/active.js';
import { isActive } from '../runs/lifecycle.js';
import type { RunState } from '../schemas/run.js';
import type { PipelineHooks } from './hooks.js';

/**
 * What a run owes once its state is terminal, each part idempotent so it can be
 * done again after a crash: its terminal progress event (a closed log ignores a
 * second one), the run-completed hook (the memory index) when complete, operations' figures
 * and webhook (queued in the durable outbox, delivered at least once), and
 * last the removal of its active marker. The orchestrator calls it when it ends
 * a run; the watchdog calls it for a terminal run whose marker is still there.
 */
export async function settleRun(
  state: RunState,
  options: { message?: string; hooks?: PipelineHooks } = {},
): Promise<void> {
  if (isActive(state)) throw new Error(`settleRun needs a finished run; ${state.runId} is ${state.status}`);
  await appendProgress(state.projectId, state.runId, {
    agent: 'pipeline',
    status: state.status,
    progress: state.status === 'complete' ? 1 : state.progress,
    message:
      options.message ??
      (state.status === 'failed'
        ? state.error.message
        : state.status === 'complete'
          ? `${state.outputs.plan ? 'plan' : 'video'} ready`
          : 'run cancelled'),
  });
  // A plan is not a video anyone watched: only what is rendered goes into the project's history.
  if (state.status === 'complete' && !state.outputs.plan) await (options.hooks ?? learningHooks).runCompleted(state);
  await onRunEnded(state);
  await clearActive(state.projectId, state.runId);
}
