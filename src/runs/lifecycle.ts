import type { Agent, CompleteOutputs, RunError, RunState, StartRunBody, Storyboard } from '../schemas/run.js';
import type { Id } from '../schemas/common.js';

/**
 * A run's state changes only through these functions, so a state the union
 * forbids (complete without a video, failed without an error) cannot be built.
 */
export type QueuedRun = Extract<RunState, { status: 'queued' }>;
export type RunningRun = Extract<RunState, { status: 'running' }>;
export type CompleteRun = Extract<RunState, { status: 'complete' }>;
export type FailedRun = Extract<RunState, { status: 'failed' }>;
export type CancelledRun = Extract<RunState, { status: 'cancelled' }>;
/** A run that can still change: queued or running. */
export type ActiveRun = QueuedRun | RunningRun;

export const isActive = (run: RunState): run is ActiveRun => run.status === 'queued' || run.status === 'running';

export interface NewRun {
  projectId: Id;
  runId: Id;
  request: StartRunBody;
  /** The photos asked for; empty means every photo of the project. */
  mediaIds: Id[];
  now?: Date;
}

/** The one way a run begins: queued, nothing done yet. */
export function newRun({ projectId, runId, request, mediaIds, now = new Date() }: NewRun): QueuedRun {
  const at = now.toISOString();
  return {
    runId,
    projectId,
    status: 'queued',
    step: null,
    progress: 0,
    request,
    mediaIds,
    attempts: 0,
    cancelRequested: false,
    createdAt: at,
    updatedAt: at,
  };
}

/** An invocation takes the run up (again): one more attempt. */
export function toRunning(run: ActiveRun): RunningRun {
  return { ...run, status: 'running', attempts: run.attempts + 1 };
}

/** A step of the run has begun or finished: where it is, how far along, and what the step recorded. */
export function atStep<Run extends ActiveRun>(
  run: Run,
  step: Agent,
  progress: number,
  recorded: {
    storyboard?: Storyboard;
    provider?: string;
    timing?: { startedAt: string; finishedAt: string; ms: number };
  } = {},
): Run {
  return {
    ...run,
    step,
    progress,
    ...(recorded.storyboard ? { storyboard: recorded.storyboard } : {}),
    ...(recorded.provider ? { providers: { ...run.providers, [step]: recorded.provider } } : {}),
    ...(recorded.timing ? { timings: { ...run.timings, [step]: recorded.timing } } : {}),
  };
}

/**
 * A run whose stored state cannot be read: what it asked for is lost with it,
 * so it cannot be taken up again. It ends failed, saying so, under its own ids.
 */
export function lostRun({
  projectId,
  runId,
  createdAt,
  reason,
  now = new Date(),
}: {
  projectId: Id;
  runId: Id;
  createdAt: string;
  reason: string;
  now?: Date;
}): FailedRun {
  const error: RunError = {
    code: 'state_unreadable',
    message: `The stored state of this run was damaged (${reason}) and could not be read; start the run again.`,
    retryable: true,
    errorClass: 'resource',
    severity: 'high',
    step: null,
  };
  return { ...newRun({ projectId, runId, request: {}, mediaIds: [], now }), createdAt, status: 'failed', error };
}

export function toComplete(run: ActiveRun, storyboard: Storyboard, outputs: CompleteOutputs): CompleteRun {
  return { ...run, status: 'complete', step: null, progress: 1, storyboard, outputs };
}

export function toFailed(run: ActiveRun, error: RunError): FailedRun {
  return { ...run, status: 'failed', error };
}

export function toCancelled(run: ActiveRun): CancelledRun {
  return { ...run, status: 'cancelled', step: null, cancelRequested: true };
}

/** Asks a running run to stop; its orchestrator sees the flag and cancels it. */
export function withCancelRequest(run: RunningRun): RunningRun {
  return { ...run, cancelRequested: true };
}
