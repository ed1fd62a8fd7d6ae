import { runNotFound } from './errors.js';
import { runStateSchema, type RunState, type RunSummary } from '../schemas/run.js';
import { isActive, lostRun, type ActiveRun } from './lifecycle.js';
import {
  UNCHANGED,
  defineDocument,
  isId,
  keys,
  listDirectories,
  readJSON,
  updateJSON,
  writeJSON,
  type Id,
} from '../storage/index.js';

/** The status rides in blob metadata, so retention can tell live runs from finished ones without downloading them. */
export const runStateDoc = defineDocument({
  name: 'run-state',
  version: 1,
  schema: runStateSchema,
  metaOf: (state) => ({ status: state.status }),
});

export async function readRunState(projectId: Id, runId: Id): Promise<RunState | null> {
  return (await readJSON(keys.runState(projectId, runId), runStateDoc))?.value ?? null;
}

/** The run, or a 404 that names it. */
export async function requireRun(projectId: Id, runId: Id): Promise<RunState> {
  const state = await readRunState(projectId, runId);
  if (!state) throw runNotFound(projectId, runId);
  return state;
}

/** Writes a new run (made by `newRun`, or taken further by transitions for a fixture); false if one with that id already exists. */
export async function createRunState(state: RunState): Promise<boolean> {
  return writeJSON(keys.runState(state.projectId, state.runId), runStateDoc, state, { onlyIfNew: true });
}

/**
 * Compare-and-swap on a run's state, through the transitions in `lifecycle.ts`.
 * `progress` never decreases and a finished run is never changed again: the
 * update only ever sees a queued or running run.
 */
export async function updateRunState(
  projectId: Id,
  runId: Id,
  update: (current: ActiveRun) => RunState | typeof UNCHANGED,
): Promise<RunState> {
  return (await changeRunState(projectId, runId, update)).state;
}

/**
 * updateRunState that also says whether this call changed the run: false when
 * the update declined, or when the run had already finished (e.g. a cancel
 * that raced completion).
 */
export async function changeRunState(
  projectId: Id,
  runId: Id,
  update: (current: ActiveRun) => RunState | typeof UNCHANGED,
): Promise<{ state: RunState; changed: boolean }> {
  let changed = false;
  const next = await updateJSON(keys.runState(projectId, runId), runStateDoc, (current) => {
    // The compare-and-swap may call this again after a lost race: the last call is the one that counts.
    changed = false;
    if (!current) throw runNotFound(projectId, runId);
    if (!isActive(current)) return UNCHANGED;
    const result = update(current);
    if (result === UNCHANGED) return UNCHANGED;
    changed = true;
    const next: RunState = {
      ...result,
      progress: Math.max(current.progress, result.progress),
      updatedAt: new Date().toISOString(),
    };
    return next;
  });
  return { state: next!, changed };
}

/**
 * Ends a run whose state.json fails its own checks (see lostRun), replacing it
 * only while it is still unreadable. Returns the state now stored: the failed
 * one, or the readable state another writer put there first.
 */
export async function failUnreadableRun(projectId: Id, runId: Id): Promise<RunState> {
  const state = await updateJSON(
    keys.runState(projectId, runId),
    runStateDoc,
    (current, _meta, damaged) => {
      if (current || !damaged) return UNCHANGED;
      const created = damaged.metadata.createdAt;
      const createdAt =
        typeof created === 'string' && !Number.isNaN(Date.parse(created))
          ? new Date(created).toISOString()
          : new Date().toISOString();
      return lostRun({ projectId, runId, createdAt, reason: damaged.error.reason });
    },
    { replaceDamaged: true },
  );
  if (!state) throw runNotFound(projectId, runId);
  return state;
}

export function summarize(state: RunState): RunSummary {
  return {
    runId: state.runId,
    status: state.status,
    step: state.step,
    progress: state.progress,
    createdAt: state.createdAt,
    updatedAt: state.updatedAt,
    theme: state.storyboard?.theme ?? state.request.theme ?? null,
    ...(state.request.planOnly ? { plan: true } : {}),
  };
}

/** The project's run ids, from the folder listing (one entry per run, not per file). */
export async function listRunIds(projectId: Id): Promise<Id[]> {
  const prefix = keys.runsPrefix(projectId);
  const directories = await listDirectories('runs', prefix);
  return directories.map((directory) => directory.slice(prefix.length).replace(/\/$/, '')).filter(isId);
}
