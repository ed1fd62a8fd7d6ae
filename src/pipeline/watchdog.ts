import { getConfig } from '../config.js';
import { errorFields, log } from '../log.js';
import { activeRunIds, clearActive, noteTriggered, readActiveMarker } from '../runs/active.js';
import { triggerPipeline } from '../runs/trigger.js';
import { changeRunState, failUnreadableRun, readRunState } from '../runs/state.js';
import { toFailed } from '../runs/lifecycle.js';
import { isTerminal, type RunState } from '../schemas/run.js';
import { CorruptBlobError, type Id } from '../storage/index.js';
import { MAX_ATTEMPTS } from './attempts.js';
import { leaseIsLive, readLease } from './lease.js';
import { failNeverStarted, neverStarted } from './never-started.js';
import { settleRun } from './settle.js';

export interface WatchdogReport {
  examined: number;
  /** Stalled runs for which an invocation was asked. */
  triggered: string[];
  /** Terminal runs whose leftover duties (terminal event, memory index, marker) were done. */
  settled: number;
  /** Markers of runs that were never created. */
  removed: number;
  /** Runs failed after MAX_ATTEMPTS invocations, or after SIRTRAV_MAX_UNSTARTED_TRIGGERS that never reached the pipeline. */
  failed: number;
  errors: Array<{ runId: string; message: string }>;
  complete: boolean;
  durationMs: number;
}

export interface WatchdogOptions {
  /** Where the background function is reachable (the site's URL). */
  origin: string;
  budgetMs: number;
}

type Verdict = 'working' | 'triggered' | 'settled' | 'removed' | 'failed' | 'waiting';

/**
 * Finds stalled runs by their lease, not by `updatedAt`: a run is stalled when
 * it is queued or running and nobody holds a live lease on it (the lease is
 * renewed every third of its time to live while an invocation works, however
 * long a render takes). It walks only the index of active runs. Each stalled run
 * gets one new invocation, after which it has a lease period to take the lease
 * before it is asked again. Reading a run never triggers anything; this does.
 */
export async function runWatchdog(options: WatchdogOptions): Promise<WatchdogReport> {
  const started = Date.now();
  const report: WatchdogReport = {
    examined: 0,
    triggered: [],
    settled: 0,
    removed: 0,
    failed: 0,
    errors: [],
    complete: true,
    durationMs: 0,
  };
  for await (const { projectId, runId } of activeRunIds()) {
    if (Date.now() - started >= options.budgetMs) {
      report.complete = false;
      break;
    }
    report.examined++;
    try {
      const verdict = await examine(projectId, runId, options.origin);
      if (verdict === 'triggered') report.triggered.push(runId);
      else if (verdict === 'settled') report.settled++;
      else if (verdict === 'removed') report.removed++;
      else if (verdict === 'failed') report.failed++;
    } catch (error) {
      if (report.errors.length < 50)
        report.errors.push({ runId, message: (error as Error).message?.slice(0, 200) ?? String(error) });
      log.warn('watchdog could not examine a run', { projectId, runId, ...errorFields(error) });
    }
  }
  report.durationMs = Date.now() - started;
  if (report.triggered.length > 0 || report.settled > 0 || report.failed > 0 || report.errors.length > 0)
    log.info('watchdog pass', { ...report });
  return report;
}

async function examine(projectId: Id, runId: Id, origin: string): Promise<Verdict> {
  const ttl = getConfig().SIRTRAV_LEASE_TTL_MS;
  const now = Date.now();
  const state = await readRunState(projectId, runId).catch((error: unknown) =>
    endUnreadableRun(projectId, runId, error),
  );
  if (!state) {
    // The marker is written just before the run: give a start in progress time to finish.
    const marker = await readActiveMarker(projectId, runId);
    if (marker && now - Date.parse(marker.createdAt) < ttl) return 'waiting';
    await clearActive(projectId, runId);
    return 'removed';
  }
  if (isTerminal(state.status)) {
    await settleRun(state);
    return state.status === 'failed' && state.error.code === 'state_unreadable' ? 'failed' : 'settled';
  }
  if (leaseIsLive(await readLease(projectId, runId), now)) return 'working';
  const marker = await readActiveMarker(projectId, runId);
  if (marker?.triggeredAt && now - marker.triggeredAt < ttl) return 'waiting';
  if (state.attempts >= MAX_ATTEMPTS) return failExhausted(projectId, runId, state.attempts);
  if (neverStarted(marker, state)) return (await failNeverStarted(state, marker!)) ? 'failed' : 'waiting';
  if (!(await noteTriggered(projectId, runId, now, state.attempts))) return 'waiting';
  await triggerPipeline(origin, projectId, runId);
  log.info('stalled run invoked again', { projectId, runId, attempts: state.attempts, status: state.status });
  return 'triggered';
}

/**
 * A state that fails its own checks cannot be resumed (what the run asked for
 * is in it), and must not stop the watchdog at this run every minute: the run
 * is failed with `state_unreadable`, then settled like any ended run, so its
 * progress log gets its terminal event.
 */
async function endUnreadableRun(projectId: Id, runId: Id, error: unknown): Promise<RunState> {
  if (!(error instanceof CorruptBlobError)) throw error;
  log.warn('a run state cannot be read; the run is failed', { projectId, runId, ...errorFields(error) });
  return failUnreadableRun(projectId, runId);
}

async function failExhausted(projectId: Id, runId: Id, attempts: number): Promise<Verdict> {
  const message = `The run was started ${attempts} times without finishing; giving up.`;
  const { state, changed } = await changeRunState(projectId, runId, (current) =>
    toFailed(current, {
      code: 'too_many_attempts',
      message,
      retryable: true,
      errorClass: 'resource',
      severity: 'high',
      step: current.step,
    }),
  );
  if (isTerminal(state.status)) await settleRun(state, changed ? { message } : {});
  return 'failed';
}
