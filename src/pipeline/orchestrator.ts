import { getConfig } from '../config.js';
import { errorFields, log, withLogContext } from '../log.js';
import { findFfmpeg } from '../media/find-ffmpeg.js';
import { claimRunSlot } from '../runs/slots.js';
import { changeRunState, readRunState } from '../runs/state.js';
import { isTerminal, type CompleteOutputs, type RunState } from '../schemas/run.js';
import { toCancelled, toComplete, toFailed, toRunning, type ActiveRun } from '../runs/lifecycle.js';
import { deleteVideo, UNCHANGED, type Id } from '../storage/index.js';
import { classifyError, ffmpegMissing, RenderCancelledError, RunCancelledError } from './errors.js';
import { recordFailure } from './failures.js';
import { learningHooks } from '../learning/hooks.js';
import type { PipelineHooks } from './hooks.js';
import { MAX_ATTEMPTS } from './attempts.js';
import { acquireLease, LeaseLostError, type Lease } from './lease.js';
import { RunProgressReporter } from './reporter.js';
import { settleRun } from './settle.js';
import { RunStateSync } from './state-sync.js';
import { RunSupersededError, watchRun } from './watch-run.js';
import { ComposeJob } from './steps/compose.js';
import { audioOutputs } from './steps/compose-outputs.js';
import { throwIfCancelled, type RunContext } from './context.js';
import { directorStep } from './steps/director.js';
import { musicStep } from './steps/music.js';
import { voiceStep } from './steps/voice.js';

/**
 * `lost`: the lease went to another invocation (or the run ended elsewhere); this one stopped and wrote nothing more.
 * `deferred`: a retryable failure; the run stays running, its lease is released and the watchdog invokes it again.
 */
export type PipelineOutcome = 'complete' | 'failed' | 'cancelled' | 'busy' | 'skipped' | 'lost' | 'deferred';

/** Why this invocation must stop without touching the run, if it must. */
function stopReason(error: unknown, signal: AbortSignal): Error | null {
  if (error instanceof LeaseLostError || error instanceof RunSupersededError) return error;
  const reason: unknown = signal.aborted ? signal.reason : null;
  return reason instanceof LeaseLostError || reason instanceof RunSupersededError ? reason : null;
}

const isCancel = (error: unknown, signal: AbortSignal) =>
  signal.aborted ? signal.reason instanceof RunCancelledError : error instanceof RenderCancelledError;

interface Ending {
  lease: Lease;
  sync: RunStateSync;
  hooks: PipelineHooks;
}

interface EndOptions {
  ending: Ending;
  projectId: Id;
  runId: Id;
  /** The run's end state, from its state now. */
  update: (state: ActiveRun) => RunState;
  /** What the terminal progress event says, when not the default. */
  message?: string | undefined;
}

/**
 * Ends the run, if this invocation still holds the lease and the run is not
 * terminal yet: state first (so the `done` event carries it), then settleRun
 * (terminal event, memory index, active marker). Null when it was not ours to end.
 */
async function end({
  ending: { lease, sync, hooks },
  projectId,
  runId,
  update,
  message,
}: EndOptions): Promise<RunState | null> {
  await sync.drain();
  await lease.confirm();
  const { state, changed } = await changeRunState(projectId, runId, update);
  if (!changed) return null;
  await settleRun(state, { hooks, ...(message ? { message } : {}) });
  return state;
}

/**
 * A run at work holds one of its project's slots: taken again here in case a
 * race between processes lost it (see src/runs/slots.ts). Only the count is at
 * stake, so a failure here does not stop the run.
 */
async function holdRunSlot(projectId: Id, runId: Id): Promise<void> {
  await claimRunSlot(projectId, runId, null).catch((failure) =>
    log.warn('run slot not confirmed; the cap may count one run less', errorFields(failure)),
  );
}

/** A cancelled run has no video, even if compose had just stored one; only the lease holder that cancelled it deletes. */
async function deleteCancelledVideo(runId: Id): Promise<void> {
  await deleteVideo(runId).catch((failure) =>
    log.warn('video of a cancelled run not deleted; repair removes it', errorFields(failure)),
  );
}

/**
 * Runs (or resumes) one run: director → voice and music in parallel → compose.
 * Each step's output is stored before the next starts, so a retried or
 * re-invoked function picks up after the last finished step. Only the holder
 * of the run's lease acts on it: an invocation that loses the lease stops and
 * never writes the run's end or deletes its outputs.
 */
export async function runPipeline(
  projectId: Id,
  runId: Id,
  hooks: PipelineHooks = learningHooks,
  options: { origin?: string } = {},
): Promise<PipelineOutcome> {
  return withLogContext({ projectId, runId }, async () => {
    const lease = await acquireLease(projectId, runId, getConfig().SIRTRAV_LEASE_TTL_MS);
    if (!lease) {
      log.info('run is being worked on by another invocation');
      return 'busy';
    }
    const controller = new AbortController();
    lease.onLost(() => controller.abort(new LeaseLostError(`run ${runId}`)));
    const stopWatching = watchRun(projectId, runId, controller);
    const sync = new RunStateSync(projectId, runId);
    const reporter = new RunProgressReporter(projectId, runId, sync.listener);
    const ending: Ending = { lease, sync, hooks };
    let context: RunContext | undefined;
    let compose: ComposeJob | undefined;
    try {
      const initial = await readRunState(projectId, runId);
      if (!initial || isTerminal(initial.status)) return 'skipped';
      const resumed = initial.status === 'running';
      const started = await changeRunState(projectId, runId, (current) =>
        current.cancelRequested ? UNCHANGED : toRunning(current),
      );
      const state = started.state;
      if (isTerminal(state.status)) return 'skipped';
      if (state.cancelRequested) throw new RunCancelledError();
      await holdRunSlot(projectId, runId);
      const ffmpeg = await findFfmpeg();
      if (!ffmpeg) throw ffmpegMissing();
      context = {
        projectId,
        runId,
        state,
        reporter,
        signal: controller.signal,
        ffmpeg: ffmpeg.path,
        actions: [],
        providers: {},
        ...(options.origin ? { origin: options.origin } : {}),
        confirmLease: () => lease.confirm(),
      };
      await reporter.event(
        'pipeline',
        resumed ? 'resumed' : 'started',
        resumed ? `resuming (attempt ${state.attempts})` : 'run started',
      );

      const storyboard = await directorStep(context);
      throwIfCancelled(context);
      // The picture is drawn (or its segments asked for) while voice and music are made; a plan draws none.
      const planOnly = state.request.planOnly === true;
      compose = planOnly ? undefined : await ComposeJob.start(context, storyboard);
      const [voice, music] = await Promise.all([voiceStep(context, storyboard), musicStep(context, storyboard)]);
      throwIfCancelled(context);
      const outputs: CompleteOutputs = compose
        ? await compose.finish(voice, music)
        : { plan: true, ...audioOutputs(context, storyboard, { voice, music }) };
      throwIfCancelled(context);
      // A cancel accepted (202) while the video was being stored still wins: the run ends cancelled.
      const done = await end({
        ending,
        projectId,
        runId,
        update: (current) =>
          current.cancelRequested ? toCancelled(current) : toComplete(current, storyboard, outputs),
      });
      if (done?.status === 'cancelled') await deleteCancelledVideo(runId);
      return done ? (done.status === 'cancelled' ? 'cancelled' : 'complete') : 'lost';
    } catch (error) {
      return await endAfterError(error, { ending, controller, context, compose, projectId, runId });
    } finally {
      stopWatching();
      await compose?.dispose();
      await lease.release();
    }
  });
}

interface ErrorScope {
  ending: Ending;
  controller: AbortController;
  context: RunContext | undefined;
  compose: ComposeJob | undefined;
  projectId: Id;
  runId: Id;
}

/** A cancel request ends the run cancelled; a lost lease or a run ended elsewhere ends only this invocation; anything else fails the run. */
async function endAfterError(
  error: unknown,
  { ending, controller, context, compose, projectId, runId }: ErrorScope,
): Promise<PipelineOutcome> {
  const stop = stopReason(error, controller.signal);
  if (stop) {
    log.warn('invocation stopped without ending the run', { reason: stop.name, ...errorFields(error) });
    return 'lost';
  }
  try {
    if (isCancel(error, controller.signal)) {
      // No segment may still be rendering once the run says it ended.
      await compose?.stopSegments();
      const cancelled = await end({ ending, projectId, runId, update: toCancelled });
      if (cancelled) await deleteCancelledVideo(runId);
      return cancelled ? 'cancelled' : 'lost';
    }
    const classified = classifyError(error);
    if (classified.retryable && context && context.state.attempts < MAX_ATTEMPTS) {
      log.warn('retryable failure; the watchdog will invoke the run again', {
        errorClass: classified.errorClass,
        code: classified.code,
        attempts: context.state.attempts,
        ...errorFields(error),
      });
      return 'deferred';
    }
    await compose?.stopSegments();
    log.error('run failed', { errorClass: classified.errorClass, code: classified.code, ...errorFields(error) });
    await ending.lease.confirm();
    const runError = await recordFailure({
      projectId,
      runId,
      step: context?.state.step ?? null,
      error: classified,
      toolChain: Object.entries(context?.providers ?? {}).map(([agent, provider]) => `${agent}:${provider}`),
      actionsTaken: context?.actions ?? [],
    });
    const failed = await end({
      ending,
      projectId,
      runId,
      update: (current) => toFailed(current, runError),
      message: runError.message,
    });
    return failed ? 'failed' : 'lost';
  } catch (failure) {
    if (failure instanceof LeaseLostError) return 'lost';
    throw failure;
  }
}
