import { errorFields, log } from '../log.js';
import { readRunState } from '../runs/state.js';
import { isTerminal } from '../schemas/run.js';
import type { Id } from '../storage/index.js';
import { RunCancelledError } from './errors.js';

const WATCH_POLL_MS = 500;

/** The run was ended by someone else while this invocation worked on it: stop, change nothing. */
export class RunSupersededError extends Error {
  constructor(runId: string, status: string) {
    super(`Run ${runId} became ${status} elsewhere; this invocation stops.`);
    this.name = 'RunSupersededError';
  }
}

/**
 * Watches the run while it works. A cancel request aborts with
 * RunCancelledError (the run then ends cancelled); a run that turned terminal
 * elsewhere aborts with RunSupersededError (nothing is written or deleted).
 */
export function watchRun(projectId: Id, runId: Id, controller: AbortController): () => void {
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    try {
      const state = await readRunState(projectId, runId);
      if (!state) controller.abort(new RunSupersededError(runId, 'deleted'));
      else if (isTerminal(state.status)) controller.abort(new RunSupersededError(runId, state.status));
      else if (state.cancelRequested) controller.abort(new RunCancelledError());
    } catch (error) {
      log.warn('run watch read failed', errorFields(error));
    }
    if (!stopped && !controller.signal.aborted) timer = schedule();
  };
  const schedule = () =>
    setTimeout(() => {
      tick().catch((error) => log.warn('run watch failed', errorFields(error)));
    }, WATCH_POLL_MS);
  let timer = schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
