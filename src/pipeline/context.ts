import { errorFields, log } from '../log.js';
import { atStep } from '../runs/lifecycle.js';
import { updateRunState } from '../runs/state.js';
import type { Agent, RunState, Storyboard } from '../schemas/run.js';
import type { Id } from '../storage/index.js';
import { RunCancelledError } from './errors.js';
import type { RunProgressReporter } from './reporter.js';
import { laterStep } from './state-sync.js';

/** What every step of one run's invocation shares. */
export interface RunContext {
  projectId: Id;
  runId: Id;
  state: RunState;
  reporter: RunProgressReporter;
  signal: AbortSignal;
  ffmpeg: string;
  /** What was done, for the failure episode. */
  actions: string[];
  providers: Partial<Record<Agent, string>>;
  /** Where the background function is reachable, to ask for segment invocations; without it a render stays whole. */
  origin?: string;
  /** Throws unless this invocation still holds the run's lease; called before storing an output. */
  confirmLease: () => Promise<void>;
}

/** For progress reported from a callback that cannot wait: a lost event is logged, never an unhandled rejection. */
export const inBackground = (event: Promise<void>): void => {
  event.catch((error) => log.warn('progress event not written', errorFields(error)));
};

export function throwIfCancelled(context: RunContext): void {
  if (context.signal.aborted) throw new RunCancelledError();
}

/** Records a finished step's timing and provider in the run state; `step` only moves forward (voice and music run beside compose's preparation). */
export async function recordStep(
  context: RunContext,
  agent: Agent,
  startedAt: number,
  provider: string,
  recorded: { storyboard?: Storyboard } = {},
): Promise<void> {
  const finishedAt = Date.now();
  context.providers[agent] = provider;
  const timing = {
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    ms: finishedAt - startedAt,
  };
  context.state = await updateRunState(context.projectId, context.runId, (state) => ({
    ...atStep(state, agent, context.reporter.overall(), { ...recorded, provider, timing }),
    step: laterStep(state.step, agent),
  }));
}
