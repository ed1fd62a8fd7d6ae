import { errorFields, log } from '../log.js';
import { updateRunState } from '../runs/state.js';
import { AGENTS, type Agent } from '../schemas/run.js';
import { UNCHANGED, type Id } from '../storage/index.js';
import type { ProgressAgent } from '../schemas/progress.js';

/** The run state's progress is written at most this often (each write is a compare-and-swap). */
const SYNC_INTERVAL_MS = 1000;

const rank = (step: Agent | null) => (step === null ? -1 : AGENTS.indexOf(step));

/** The later of two steps in pipeline order: a run's `step` never moves back. */
export const laterStep = (current: Agent | null, next: Agent): Agent => (rank(next) > rank(current) ? next : current!);

/**
 * Keeps `step` and `progress` of the run state in line with the progress
 * events while the run works, so GET …/runs/:runId tells the truth during a
 * long render. `step` only moves forward (voice and music run side by side).
 * Writes are throttled, one at a time, and a failed one is only logged.
 */
export class RunStateSync {
  private step: Agent | null = null;
  private progress = 0;
  private lastWrite = 0;
  private writing: Promise<void> | null = null;
  private dirty = false;

  constructor(
    private readonly projectId: Id,
    private readonly runId: Id,
  ) {}

  readonly listener = (agent: ProgressAgent, overall: number): void => {
    const stepMoved = agent !== 'pipeline' && rank(agent) > rank(this.step);
    if (stepMoved) this.step = agent as Agent;
    this.progress = Math.max(this.progress, overall);
    this.dirty = true;
    if (stepMoved || Date.now() - this.lastWrite >= SYNC_INTERVAL_MS) this.flushSoon();
  };

  private flushSoon(): void {
    if (this.writing) return;
    this.writing = this.write().finally(() => {
      this.writing = null;
    });
  }

  private async write(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      this.lastWrite = Date.now();
      const { step, progress } = this;
      try {
        await updateRunState(this.projectId, this.runId, (state) =>
          state.status !== 'running' || (rank(state.step) >= rank(step) && state.progress >= progress)
            ? UNCHANGED
            : { ...state, step: rank(step) > rank(state.step) ? step : state.step, progress },
        );
      } catch (error) {
        log.warn('run state progress not updated; the run goes on', errorFields(error));
      }
    }
  }

  /** Waits for a write in flight (before the run's final state is written). */
  async drain(): Promise<void> {
    this.dirty = false;
    await this.writing;
  }
}
