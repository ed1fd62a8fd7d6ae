import type { Agent } from '../schemas/run.js';

/** Share of overall progress each agent's work is worth; compose dominates the wall time. */
export const STEP_WEIGHTS: Record<Agent, number> = {
  director: 0.1,
  voice: 0.1,
  music: 0.1,
  compose: 0.7,
};

/** Overall progress when `done` agents are finished and `agent` is `fraction` of the way through. */
export function overallProgress(done: Iterable<Agent>, agent?: Agent, fraction = 0): number {
  let total = 0;
  for (const finished of done) total += STEP_WEIGHTS[finished];
  if (agent) total += STEP_WEIGHTS[agent] * Math.min(1, Math.max(0, fraction));
  return Math.min(1, total);
}
