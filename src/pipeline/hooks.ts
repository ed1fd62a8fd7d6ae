import type { CompleteRun } from '../runs/lifecycle.js';

/** What the orchestrator tells the rest of the system about a run, without knowing who listens. */
export interface PipelineHooks {
  /** A run has just completed. A failure here is logged and never fails the run. */
  runCompleted(run: CompleteRun): Promise<void>;
}
