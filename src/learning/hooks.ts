import type { CompleteRun } from '../runs/index.js';
import { upsertHistoryEntry } from './memory.js';
import { entryFromCompletedRun } from './history.js';

/** Learning's part in a run (the pipeline's hooks): a completed run joins the memory index, unrated; a failure is repaired at the next rebuild. */
export const learningHooks = {
  runCompleted: (run: CompleteRun) => upsertHistoryEntry(run.projectId, entryFromCompletedRun(run)),
};
