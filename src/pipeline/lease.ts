import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { errorFields, log } from '../log.js';
import { UNCHANGED, defineDocument, keys, readJSON, updateJSON, type BlobRef, type Id } from '../storage/index.js';

export const leaseSchema = z.object({
  owner: z.string(),
  expiresAt: z.number(),
  acquiredAt: z.number(),
  released: z.boolean(),
});
export type LeaseRecord = z.infer<typeof leaseSchema>;
export const leaseDoc = defineDocument({ name: 'run-lease', version: 1, schema: leaseSchema });

/** Raised when an invocation finds it no longer holds its run's lease: it must stop and write nothing more. */
export class LeaseLostError extends Error {
  constructor(what: string) {
    super(`The lease on ${what} was lost to another invocation (or lapsed); this invocation stops.`);
    this.name = 'LeaseLostError';
  }
}

export interface Lease {
  owner: string;
  /** Stops renewing and releases the lease. */
  release(): Promise<void>;
  /** True once a renewal found the lease taken by another invocation (after it lapsed). */
  lost(): boolean;
  /** Renews the lease now and throws LeaseLostError unless this invocation still holds it. */
  confirm(): Promise<void>;
  /** Called once when the lease is found lost. */
  onLost(listener: () => void): void;
}

/** Whether a stored lease keeps others out at `now`. */
export const leaseIsLive = (lease: LeaseRecord | null | undefined, now = Date.now()) =>
  Boolean(lease && !lease.released && lease.expiresAt > now);

export async function readLease(projectId: Id, runId: Id): Promise<LeaseRecord | null> {
  return readLeaseAt(keys.runLease(projectId, runId));
}

export async function readLeaseAt(ref: BlobRef): Promise<LeaseRecord | null> {
  return (await readJSON(ref, leaseDoc))?.value ?? null;
}

/**
 * One invocation at a time per run. The lease expires unless renewed (every
 * third of its time to live), so a crashed invocation (killed process,
 * timed-out function) blocks the watchdog only until `ttlMs` has passed.
 */
export async function acquireLease(projectId: Id, runId: Id, ttlMs: number): Promise<Lease | null> {
  return acquireLeaseAt(keys.runLease(projectId, runId), `run ${runId}`, ttlMs);
}

/** A lease on any one piece of work (a run, a segment of its render), kept at `ref`; `what` names it in errors. */
export async function acquireLeaseAt(ref: BlobRef, what: string, ttlMs: number): Promise<Lease | null> {
  const owner = randomUUID();
  /** Acquiring takes a lease nobody holds; renewing extends only this owner's own record, so a lease once taken over is never taken back. */
  const take = (renewal: boolean) =>
    updateJSON(ref, leaseDoc, (current) => {
      const now = Date.now();
      if (renewal && (current?.owner !== owner || current.released)) return UNCHANGED;
      if (!renewal && current && leaseIsLive(current, now)) return UNCHANGED;
      return {
        owner,
        expiresAt: now + ttlMs,
        acquiredAt: renewal && current ? current.acquiredAt : now,
        released: false,
      };
    });
  const got = await take(false);
  if (got?.owner !== owner) return null;

  let lostFlag = false;
  const listeners: Array<() => void> = [];
  const markLost = () => {
    if (lostFlag) return;
    lostFlag = true;
    clearInterval(timer);
    for (const listener of listeners.splice(0)) listener();
  };
  /** Renews with compare-and-swap: it succeeds only while nobody else holds the lease, so success proves ownership. */
  const renew = async () => {
    if (lostFlag) return;
    const lease = await take(true);
    if (lease?.owner !== owner || lease.released) markLost();
  };
  const timer = setInterval(
    () => {
      // A failed renewal is tried again on the next tick; only another owner makes the lease lost.
      renew().catch((error) => log.warn('lease renewal failed', errorFields(error)));
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref();

  return {
    owner,
    lost: () => lostFlag,
    onLost: (listener) => {
      if (lostFlag) listener();
      else listeners.push(listener);
    },
    confirm: async () => {
      if (!lostFlag) await renew();
      if (lostFlag) throw new LeaseLostError(what);
    },
    release: async () => {
      clearInterval(timer);
      await updateJSON(ref, leaseDoc, (current) =>
        current?.owner === owner && !current.released
          ? { ...current, released: true, expiresAt: Date.now() }
          : UNCHANGED,
      ).catch((error) => log.warn('lease release failed; it lapses on its own', errorFields(error)));
    },
  };
}
