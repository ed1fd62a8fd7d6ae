import { z } from 'zod';
import { releaseRunSlot } from './slots.js';
import {
  UNCHANGED,
  defineDocument,
  deleteBlob,
  isId,
  keys,
  listKeyPages,
  readJSON,
  updateJSON,
  writeJSON,
  type Id,
} from '../storage/index.js';

/**
 * The index of live runs: `sirtrav-runs/active/{projectId}/{runId}.json`, one
 * small marker per queued or running run. It is written before the run is
 * triggered and removed only after the run has settled (terminal state, its
 * terminal progress event, its memory-index entry), so the watchdog finds every
 * run that could be stuck by listing this prefix, at a cost that grows with the
 * runs in flight, not with every run ever made. A marker left behind by a crash
 * is harmless: the watchdog settles its run and removes it.
 */
export const activeMarkerSchema = z.object({
  projectId: z.string(),
  runId: z.string(),
  createdAt: z.string(),
  /** When the watchdog last asked for an invocation (ms since epoch), to give it time to take the lease. */
  triggeredAt: z.number().nullable(),
  /**
   * Invocations asked for (the start's own, then the watchdog's) since the
   * run's `attempts` was last seen to change: each invocation that reaches the
   * pipeline counts an attempt, so these are the ones that died before it.
   */
  triggers: z.number().int().nonnegative(),
  /** The run's `attempts` when `triggers` began counting. */
  attemptsSeen: z.number().int().nonnegative().default(0),
});
export type ActiveMarker = z.infer<typeof activeMarkerSchema>;
const activeMarkerDoc = defineDocument({ name: 'active-run', version: 1, schema: activeMarkerSchema });

export async function markActive(projectId: Id, runId: Id, now = new Date()): Promise<void> {
  await writeJSON(
    keys.activeRun(projectId, runId),
    activeMarkerDoc,
    { projectId, runId, createdAt: now.toISOString(), triggeredAt: now.getTime(), triggers: 1, attemptsSeen: 0 },
    { onlyIfNew: true },
  );
}

export async function readActiveMarker(projectId: Id, runId: Id): Promise<ActiveMarker | null> {
  return (await readJSON(keys.activeRun(projectId, runId), activeMarkerDoc))?.value ?? null;
}

/**
 * Records that an invocation was asked for while the run had made `attempts`
 * attempts; false when the marker is gone (the run settled meanwhile).
 */
export async function noteTriggered(projectId: Id, runId: Id, at: number, attempts: number): Promise<boolean> {
  const next = await updateJSON(keys.activeRun(projectId, runId), activeMarkerDoc, (current) =>
    current
      ? {
          ...current,
          triggeredAt: at,
          triggers: current.attemptsSeen === attempts ? current.triggers + 1 : 1,
          attemptsSeen: attempts,
        }
      : UNCHANGED,
  );
  return next !== null;
}

/** Invocations asked for that never reached the pipeline, as the marker counts them for a run with `attempts` attempts. */
export const unstartedTriggers = (marker: ActiveMarker, attempts: number): number =>
  marker.attemptsSeen === attempts ? marker.triggers : 0;

/** The run is no longer live: its slot is given back, then its marker goes (a crash in between leaves the marker to settle it again). */
export async function clearActive(projectId: Id, runId: Id): Promise<void> {
  await releaseRunSlot(projectId, runId);
  await deleteBlob(keys.activeRun(projectId, runId));
}

/** Every marker's ids, a listing page at a time; keys that are not `active/{id}/{id}.json` are skipped. */
export async function* activeRunIds(): AsyncGenerator<{ projectId: Id; runId: Id; key: string }> {
  for await (const page of listKeyPages('runs', keys.activePrefix)) {
    for (const key of [...page].sort()) {
      const [, projectId, file] = key.split('/');
      const runId = file?.replace(/\.json$/, '');
      if (isId(projectId) && isId(runId)) yield { projectId, runId, key };
    }
  }
}
