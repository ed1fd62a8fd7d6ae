import { setTimeout as sleep } from 'node:timers/promises';
import { availableParallelism } from 'node:os';
import { getConfig } from '../../config.js';
import { segmentsHaveInstances } from './decide.js';
import { errorFields, log } from '../../log.js';
import type { SegmentPlan, SegmentRange } from '../../schemas/segments.js';
import type { Id } from '../../storage/index.js';
import { PipelineError } from '../errors.js';
import { triggerSegment } from './dispatch.js';
import { viewSegment, type SegmentView } from './status.js';

/** Tries a segment gets (invocations that took its lease) before the run fails. */
export const SEGMENT_ATTEMPTS = 3;
/** Invocations asked for in a row that never took the segment's lease before the run fails. */
const UNANSWERED_DISPATCHES = 3;
const POLL_MS = 500;

export interface CoordinateOptions {
  projectId: Id;
  runId: Id;
  /** Where the background function is reachable. */
  origin: string;
  plan: SegmentPlan;
  signal: AbortSignal;
  /** The share of frames rendered across all segments; never decreases. */
  onProgress: (fraction: number) => void;
  /** Told when a segment is asked for again, and why. */
  onRetry: (message: string) => void;
}

/** Segments asked for at once: every one on Netlify (each is its own invocation), one per core on a single machine. */
export function segmentConcurrency(segments: number, env: NodeJS.ProcessEnv = process.env): number {
  const configured = getConfig(env).SIRTRAV_SEGMENT_CONCURRENCY;
  if (configured > 0) return configured;
  return segmentsHaveInstances(env) ? segments : Math.max(1, availableParallelism());
}

/** When a segment was last asked for, its tries then, and how many asks in a row went unanswered. */
interface Dispatch {
  at: number;
  attemptsThen: number;
  unanswered: number;
}

const describe = (range: SegmentRange, plan: SegmentPlan) =>
  `segment ${range.index + 1} of ${plan.segments.length} (frames ${range.from}–${range.to - 1})`;

/**
 * Gets every segment of the plan rendered: asks the background function for
 * each (up to the concurrency limit), watches their status and leases, and
 * asks again for a segment whose invocation died (its lease lapsed unfinished)
 * or failed, up to SEGMENT_ATTEMPTS tries; after that the run fails, naming
 * the segment. Resolves when every segment's picture is stored. A resumed
 * coordinator finds finished segments done and live ones still working.
 */
export async function coordinateSegments(options: CoordinateOptions): Promise<void> {
  const { projectId, runId, plan, signal } = options;
  const dispatches = new Map<number, Dispatch>();
  const limit = segmentConcurrency(plan.segments.length);
  const grace = Math.max(30_000, getConfig().SIRTRAV_LEASE_TTL_MS);
  let shown = 0;
  for (;;) {
    signal.throwIfAborted();
    const views = await Promise.all(plan.segments.map((range) => viewSegment(projectId, runId, range.index)));
    const framesDone = plan.segments.reduce((sum, range, i) => sum + framesOf(range, views[i]!), 0);
    shown = Math.max(shown, framesDone / plan.totalFrames);
    options.onProgress(shown);
    if (views.every((view) => view.status?.state === 'done' && !view.live)) return;

    const now = Date.now();
    let working = views.filter((view, i) => view.live || awaitingStart(dispatches.get(i), view, now, grace)).length;
    for (const range of plan.segments) {
      const view = views[range.index]!;
      const last = dispatches.get(range.index);
      if (view.status?.state === 'done' || view.live || awaitingStart(last, view, now, grace)) continue;
      const attempts = view.status?.attempts ?? 0;
      if (attempts >= SEGMENT_ATTEMPTS) throw segmentFailed(range, plan, view);
      const unanswered = last && attempts === last.attemptsThen ? last.unanswered : 0;
      if (unanswered >= UNANSWERED_DISPATCHES)
        throw segmentFailed(range, plan, view, `${unanswered} invocations asked for never started`);
      if (working >= limit) continue;
      if (last)
        options.onRetry(
          `${describe(range, plan)} ${view.status?.state === 'failed' ? `failed (${view.status.error?.message ?? 'unknown'})` : 'stopped'}; rendering it again`,
        );
      await triggerSegment(options.origin, projectId, runId, range.index).catch((error: unknown) =>
        log.warn('could not ask for a segment; asking again later', { segment: range.index, ...errorFields(error) }),
      );
      dispatches.set(range.index, { at: Date.now(), attemptsThen: attempts, unanswered: unanswered + 1 });
      working++;
    }
    await sleep(POLL_MS, undefined, { signal }).catch((wait: unknown) => {
      signal.throwIfAborted();
      throw wait;
    });
  }
}

/** Frames a segment has done, by its own report. */
function framesOf(range: SegmentRange, view: SegmentView): number {
  if (view.status?.state === 'done') return range.to - range.from;
  return view.live ? Math.min(range.to - range.from, view.status?.framesDone ?? 0) : 0;
}

/** Asked for recently, and not yet answered by an invocation taking the lease (or by a failure reported since). */
function awaitingStart(dispatch: Dispatch | undefined, view: SegmentView, now: number, grace: number): boolean {
  if (!dispatch || now - dispatch.at >= grace) return false;
  return (view.status?.attempts ?? 0) === dispatch.attemptsThen;
}

function segmentFailed(range: SegmentRange, plan: SegmentPlan, view: SegmentView, why?: string): PipelineError {
  const cause =
    why ??
    (view.status?.error
      ? `${view.status.error.code}: ${view.status.error.message}`
      : 'its invocation stopped before it finished');
  return new PipelineError({
    errorClass: 'internal',
    code: 'segment_failed',
    message: `The render's ${describe(range, plan)} failed ${view.status?.attempts ?? 0} times; last: ${cause}.`,
    retryable: false,
    severity: 'high',
  });
}
