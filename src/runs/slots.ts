import { z } from 'zod';
import { getConfig } from '../config.js';
import { AppError } from '../errors.js';
import { errorFields, log } from '../log.js';
import { isTerminal } from '../schemas/run.js';
import { UNCHANGED, defineDocument, idSchema, keys, readJSON, updateConfirmed, type Id } from '../storage/index.js';
import { readRunState } from './state.js';

/**
 * The per-project cap on queued and running runs, as a compare-and-swap
 * document `sirtrav-runs/slots/{projectId}/runs.json`: the runs that hold a
 * slot, each with the time it took it. A start takes a slot in the swap that
 * checks the count, so concurrent starts cannot all see room. A run gives its
 * slot back when it ends (with its active marker, see `clearActive`); a slot
 * left by a crash is reclaimed by the next start that finds the project full:
 * a holder whose run is terminal, or still missing a lease period after it
 * took the slot, is dropped in that same swap.
 */
const holderSchema = z.object({ runId: idSchema, at: z.number() });
const runSlotsSchema = z.object({ holders: z.array(holderSchema).max(1000) });
type Holder = z.infer<typeof holderSchema>;
const runSlotsDoc = defineDocument({ name: 'run-slots', version: 1, schema: runSlotsSchema });

export class TooManyActiveRunsError extends AppError {
  constructor(limit: number) {
    super(
      429,
      'too_many_active_runs',
      `This project already has ${limit} runs queued or running; wait for one to finish.`,
      {
        headers: { 'Retry-After': '30' },
      },
    );
    this.name = 'TooManyActiveRunsError';
  }
}

/** Whether a holder no longer needs its slot. An unreadable run keeps its slot: that is repaired elsewhere, not guessed at here. */
async function vacated(projectId: Id, holder: Holder, now: number): Promise<boolean> {
  try {
    const state = await readRunState(projectId, holder.runId);
    // A start takes its slot just before it writes the run: give it time to do so.
    return state ? isTerminal(state.status) : now - holder.at >= getConfig().SIRTRAV_LEASE_TTL_MS;
  } catch (error) {
    log.warn('run of a slot holder unreadable; it keeps its slot', {
      projectId,
      runId: holder.runId,
      ...errorFields(error),
    });
    return false;
  }
}

async function liveHolders(projectId: Id, holders: Holder[], now: number): Promise<Holder[]> {
  const gone = await Promise.all(holders.map((holder) => vacated(projectId, holder, now)));
  return holders.filter((_, i) => !gone[i]);
}

const holds = (runId: Id) => (value: { holders: Holder[] } | null) =>
  Boolean(value?.holders.some((holder) => holder.runId === runId));

/**
 * Takes a slot for the run, or throws TooManyActiveRunsError (429). A run that
 * already holds one keeps it. `limit: null` takes it whatever the count: the
 * pipeline does so when it takes the run up, restoring a slot lost to a race.
 */
export async function claimRunSlot(projectId: Id, runId: Id, limit: number | null): Promise<void> {
  await updateConfirmed({
    ref: keys.runSlots(projectId),
    type: runSlotsDoc,
    holds: holds(runId),
    update: async (current) => {
      const holders = current?.holders ?? [];
      if (holders.some((holder) => holder.runId === runId)) return UNCHANGED;
      const now = Date.now();
      const kept = limit === null || holders.length < limit ? holders : await liveHolders(projectId, holders, now);
      if (limit !== null && kept.length >= limit) throw new TooManyActiveRunsError(limit);
      return { holders: [...kept, { runId, at: now }] };
    },
  });
}

/** Gives the run's slot back; call it once the run is terminal (or was never created). */
export async function releaseRunSlot(projectId: Id, runId: Id): Promise<void> {
  const held = holds(runId);
  await updateConfirmed({
    ref: keys.runSlots(projectId),
    type: runSlotsDoc,
    holds: (value) => !held(value),
    update: (current) =>
      held(current) ? { holders: current!.holders.filter((holder) => holder.runId !== runId) } : UNCHANGED,
  });
}

/** The runs holding a slot, for tests and operations. */
export async function runSlotHolders(projectId: Id): Promise<Id[]> {
  return ((await readJSON(keys.runSlots(projectId), runSlotsDoc))?.value.holders ?? []).map((holder) => holder.runId);
}
