import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { UNCHANGED, defineDocument, keys, updateJSON, type Id } from '../storage/index.js';

const leaseSchema = z.object({ owner: z.string(), expiresAt: z.number(), acquiredAt: z.number(), released: z.boolean() });
const leaseDoc = defineDocument('run-lease', 1, leaseSchema);

export interface Lease {
  owner: string;
  /** Stops renewing and releases the lease. */
  release(): Promise<void>;
  /** True once the lease could not be renewed (another owner took it). */
  lost(): boolean;
}

/**
 * One invocation at a time per run. The lease expires unless renewed, so a
 * crashed invocation (killed process, timed-out function) blocks a retry only
 * until `ttlMs` has passed.
 */
export async function acquireLease(projectId: Id, runId: Id, ttlMs: number): Promise<Lease | null> {
  const owner = randomUUID();
  const ref = keys.runLease(projectId, runId);
  const take = () =>
    updateJSON(ref, leaseDoc, (current) => {
      const now = Date.now();
      if (current && !current.released && current.owner !== owner && current.expiresAt > now) return UNCHANGED;
      return { owner, expiresAt: now + ttlMs, acquiredAt: current?.owner === owner ? current.acquiredAt : now, released: false };
    });
  const got = await take();
  if (got?.owner !== owner) return null;

  let lost = false;
  const timer = setInterval(() => {
    void take().then(
      (lease) => {
        if (lease?.owner !== owner) lost = true;
      },
      () => undefined,
    );
  }, Math.max(50, Math.floor(ttlMs / 3)));
  timer.unref();

  return {
    owner,
    lost: () => lost,
    release: async () => {
      clearInterval(timer);
      await updateJSON(ref, leaseDoc, (current) => (current?.owner === owner ? { ...current, released: true, expiresAt: Date.now() } : UNCHANGED)).catch(() => undefined);
    },
  };
}
