import { getConfig } from '../config.js';
import { unstartedTriggers, type ActiveMarker } from '../runs/active.js';
import { toFailed } from '../runs/lifecycle.js';
import { changeRunState } from '../runs/state.js';
import { isTerminal, type RunState } from '../schemas/run.js';
import { UNCHANGED } from '../storage/index.js';
import { settleRun } from './settle.js';

/**
 * An invocation that dies before it takes the run's lease (a host that never
 * starts, a background function that exits at once) counts no attempt, so
 * MAX_ATTEMPTS never stops it. The active marker counts the invocations asked
 * for since the run's attempts last changed; past SIRTRAV_MAX_UNSTARTED_TRIGGERS
 * of them the run is failed instead of being asked for again.
 */
export function neverStarted(marker: ActiveMarker | null, run: Pick<RunState, 'attempts'>): boolean {
  return marker !== null && unstartedTriggers(marker, run.attempts) >= getConfig().SIRTRAV_MAX_UNSTARTED_TRIGGERS;
}

/** Fails the run `pipeline_never_started` through the normal ending (terminal event, webhook, slot); false if it moved on meanwhile. */
export async function failNeverStarted(
  run: Pick<RunState, 'projectId' | 'runId' | 'attempts'>,
  marker: ActiveMarker,
): Promise<boolean> {
  const message = `The pipeline never took this run up: ${marker.triggers} invocations were asked for and none reached it; start the run again.`;
  const { state, changed } = await changeRunState(run.projectId, run.runId, (current) =>
    current.attempts === run.attempts
      ? toFailed(current, {
          code: 'pipeline_never_started',
          message,
          retryable: false,
          errorClass: 'resource',
          severity: 'high',
          step: current.step,
        })
      : // An invocation reached the pipeline after all: it is at work.
        UNCHANGED,
  );
  if (isTerminal(state.status)) await settleRun(state, changed ? { message } : {});
  return changed;
}
