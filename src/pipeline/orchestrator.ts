import { getConfig } from '../config.js';
import { errorFields, log, withLogContext } from '../log.js';
import { findFfmpeg } from '../media/ffmpeg.js';
import { appendProgress } from '../progress/log.js';
import { readRunState, updateRunState } from '../runs/state.js';
import { isTerminal } from '../schemas/run.js';
import { toCancelled, toComplete, toFailed, toRunning, type ActiveRun, type FinishedRun } from '../runs/transitions.js';
import { deleteBlob, keys, UNCHANGED, type Id } from '../storage/index.js';
import { classifyError, PipelineError, RunCancelledError } from './errors.js';
import { recordFailure } from './failures.js';
import { learningHooks } from '../learning/hooks.js';
import type { PipelineHooks } from './hooks.js';
import { acquireLease } from './lease.js';
import { ProgressReporter } from './reporter.js';
import { ComposeJob, directorStep, musicStep, throwIfCancelled, voiceStep, type RunContext } from './steps.js';

export type PipelineOutcome = 'complete' | 'failed' | 'cancelled' | 'busy' | 'skipped';

const CANCEL_POLL_MS = 500;

/** Watches the run for a cancel request and aborts the signal when one arrives. */
function watchForCancel(projectId: Id, runId: Id, controller: AbortController): () => void {
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    try {
      const state = await readRunState(projectId, runId);
      if (state?.cancelRequested || (state && isTerminal(state.status))) controller.abort();
    } catch (error) {
      log.warn('cancel watch read failed', errorFields(error));
    }
    if (!stopped && !controller.signal.aborted) timer = schedule();
  };
  const schedule = () =>
    setTimeout(() => {
      tick().catch((error) => log.warn('cancel watch failed', errorFields(error)));
    }, CANCEL_POLL_MS);
  let timer = schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Ends the run: state first (so the `done` event carries it), then the terminal progress event. */
async function endRun(projectId: Id, runId: Id, transition: (state: ActiveRun) => FinishedRun, status: FinishedRun['status'], message: string) {
  const state = await updateRunState(projectId, runId, transition);
  await appendProgress(projectId, runId, { agent: 'pipeline', status, progress: status === 'complete' ? 1 : 0, message });
  return state;
}

/**
 * Runs (or resumes) one run: director → voice and music in parallel → compose.
 * Each step's output is stored before the next starts, so a retried or
 * re-invoked function picks up after the last finished step. A lease keeps two
 * invocations from working on one run at once.
 */
export async function runPipeline(projectId: Id, runId: Id, hooks: PipelineHooks = learningHooks): Promise<PipelineOutcome> {
  return withLogContext({ projectId, runId }, async () => {
    const lease = await acquireLease(projectId, runId, getConfig().SIRTRAV_LEASE_TTL_MS);
    if (!lease) {
      log.info('run is being worked on by another invocation');
      return 'busy';
    }
    const controller = new AbortController();
    const stopWatching = watchForCancel(projectId, runId, controller);
    const reporter = new ProgressReporter(projectId, runId);
    let context: RunContext | undefined;
    let compose: ComposeJob | undefined;
    try {
      const initial = await readRunState(projectId, runId);
      if (!initial || isTerminal(initial.status)) return 'skipped';
      const resumed = initial.status === 'running';
      const state = await updateRunState(projectId, runId, (current) =>
        current.cancelRequested ? UNCHANGED : toRunning(current),
      );
      if (state.cancelRequested) throw new RunCancelledError();
      if (isTerminal(state.status)) return 'skipped';
      const ffmpeg = await findFfmpeg();
      if (!ffmpeg) throw new PipelineError('configuration', 'ffmpeg_missing', 'No ffmpeg found: set FFMPEG_PATH or install ffmpeg.', { retryable: false, severity: 'critical' });
      context = { projectId, runId, state, reporter, signal: controller.signal, ffmpeg: ffmpeg.path, actions: [], providers: {} };
      await reporter.event('pipeline', resumed ? 'resumed' : 'started', resumed ? `resuming (attempt ${state.attempts})` : 'run started');

      const storyboard = await directorStep(context);
      throwIfCancelled(context);
      // Photos are prepared for compose while voice and music are made.
      compose = await ComposeJob.start(context, storyboard);
      const [voice, music] = await Promise.all([voiceStep(context, storyboard), musicStep(context, storyboard)]);
      throwIfCancelled(context);
      const outputs = await compose.finish(voice, music);
      throwIfCancelled(context);
      const done = await endRun(projectId, runId, (current) => toComplete(current, storyboard, outputs), 'complete', 'video ready');
      // The run joins the memory index unrated; a failure here is repaired when the index is next rebuilt.
      if (done.status === 'complete') await hooks.runCompleted(done).catch((error) => log.warn('a run-completed hook failed', errorFields(error)));
      return 'complete';
    } catch (error) {
      if (error instanceof RunCancelledError || controller.signal.aborted) {
        // A cancelled run has no video, even if compose had just stored one.
        await deleteBlob(keys.video(runId)).catch(() => undefined);
        await endRun(projectId, runId, toCancelled, 'cancelled', 'run cancelled');
        return 'cancelled';
      }
      const classified = classifyError(error);
      log.error('run failed', { errorClass: classified.errorClass, code: classified.code, ...errorFields(error) });
      const step = context?.state.step ?? null;
      const runError = await recordFailure({
        projectId,
        runId,
        step,
        error: classified,
        toolChain: Object.entries(context?.providers ?? {}).map(([agent, provider]) => `${agent}:${provider}`),
        actionsTaken: context?.actions ?? [],
      });
      await endRun(projectId, runId, (current) => toFailed(current, runError), 'failed', runError.message);
      return 'failed';
    } finally {
      await compose?.dispose();
      stopWatching();
      await lease.release();
    }
  });
}
