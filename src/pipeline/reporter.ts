import { errorFields, log } from '../log.js';
import { appendProgress } from '../progress/event-log.js';
import type { ProgressAgent } from '../schemas/progress.js';
import type { Agent } from '../schemas/run.js';
import type { Id } from '../storage/index.js';
import { overallProgress } from './weights.js';

/** Sub-step progress is logged at most this often per agent, so a run stays well inside the 200-event window. */
const MIN_FRACTION_STEP = 0.1;

/** Told of every event logged, with the run's weighted overall progress (to keep the run state in step). */
export type ProgressListener = (agent: ProgressAgent, overall: number) => void;

/**
 * Turns agent events into progress events with a weighted overall progress.
 * Progress events are advisory: a failed append is logged and never fails the
 * run (the terminal event is written by settleRun, which does not swallow).
 * Every method resolves, so calling one without awaiting it is safe.
 */
export class RunProgressReporter {
  private readonly done = new Set<Agent>();
  private readonly lastFraction = new Map<Agent, number>();
  private readonly active = new Map<Agent, number>();

  constructor(
    private readonly projectId: Id,
    private readonly runId: Id,
    private readonly listener?: ProgressListener,
  ) {}

  overall(): number {
    let total = overallProgress(this.done);
    for (const [agent, fraction] of this.active) total += overallProgress([], agent, fraction);
    return Math.min(1, total);
  }

  async event(agent: ProgressAgent, status: string, message?: string, data?: Record<string, unknown>): Promise<void> {
    const progress = this.overall();
    this.listener?.(agent, progress);
    try {
      await appendProgress(this.projectId, this.runId, {
        agent,
        status,
        progress,
        ...(message ? { message } : {}),
        ...(data ? { data } : {}),
      });
    } catch (error) {
      log.warn('progress event not stored; the run goes on', { agent, status, ...errorFields(error) });
    }
  }

  /** Fire and forget: for callbacks that cannot wait (ffmpeg progress, provider retries). */
  note(agent: ProgressAgent, status: string, message?: string): void {
    this.event(agent, status, message).catch(() => undefined);
  }

  noteProgress(agent: Agent, fraction: number): void {
    this.progress(agent, fraction).catch(() => undefined);
  }

  async started(agent: Agent, message?: string): Promise<void> {
    this.active.set(agent, 0);
    await this.event(agent, 'started', message);
  }

  /** Logged when the fraction moved enough since the last logged one. */
  async progress(agent: Agent, fraction: number, message?: string): Promise<void> {
    this.active.set(agent, fraction);
    const last = this.lastFraction.get(agent) ?? 0;
    if (last >= 1 || (fraction - last < MIN_FRACTION_STEP && fraction < 1)) return;
    this.lastFraction.set(agent, fraction);
    await this.event(agent, 'progress', message, { fraction: Math.round(fraction * 1000) / 1000 });
  }

  async completed(agent: Agent, message?: string, data?: Record<string, unknown>): Promise<void> {
    this.active.delete(agent);
    this.done.add(agent);
    await this.event(agent, 'completed', message, data);
  }

  /** A step whose output was already stored by an earlier invocation. */
  async reused(agent: Agent, message: string): Promise<void> {
    this.active.delete(agent);
    this.done.add(agent);
    await this.event(agent, 'reused', message);
  }
}
