import { z } from 'zod';
import { idSchema } from '../schemas/common.js';
import type { RunState } from '../schemas/run.js';
import { webhookEventTypeSchema, type WebhookEvent } from '../schemas/webhook.js';
import {
  defineDocument,
  deleteBlob,
  keys,
  readJSON,
  updateJSON,
  writeJSON,
  UNCHANGED,
  type Id,
} from '../storage/index.js';

export const WEBHOOK_EVENT_TYPES = {
  complete: 'run.completed',
  failed: 'run.failed',
  cancelled: 'run.cancelled',
} as const;

/**
 * One webhook to deliver, kept in Blobs until a 2xx answers it: a crashed
 * function loses nothing, and the next pipeline end or the scheduled sweep
 * carries on from `attempts` and `nextAttemptAt`. The id is fixed when the
 * delivery is created, so every retry carries the same `webhook-id`.
 */
export const deliverySchema = z.object({
  webhookId: z.string(),
  projectId: idSchema,
  runId: idSchema,
  url: z.string(),
  type: webhookEventTypeSchema,
  /** The exact body, signed afresh (with a new timestamp) at every attempt. */
  payload: z.string(),
  status: z.enum(['pending', 'delivered', 'abandoned']),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: z.string(),
  /** An attempt in flight holds the delivery until then; a crashed one simply expires. */
  claimedUntil: z.string().nullable(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
});
export type Delivery = z.infer<typeof deliverySchema>;
export const deliveryDoc = defineDocument({ name: 'webhook-delivery', version: 1, schema: deliverySchema });
/** Where a finished delivery is kept, beside its run (and removed with it by retention). */
const finishedRef = keys.runWebhook;

/** Queues the run's webhook if it asked for one; a second call for the same run changes nothing. */
export async function enqueueWebhook(state: RunState): Promise<Delivery | null> {
  const url = state.request.webhookUrl;
  const type = WEBHOOK_EVENT_TYPES[state.status as keyof typeof WEBHOOK_EVENT_TYPES];
  if (!url || !type) return null;
  const now = new Date().toISOString();
  const delivery: Delivery = {
    webhookId: `msg_${state.runId}`,
    projectId: state.projectId,
    runId: state.runId,
    url,
    type,
    payload: JSON.stringify({ type, timestamp: now, data: state } satisfies WebhookEvent),
    status: 'pending',
    attempts: 0,
    nextAttemptAt: now,
    claimedUntil: null,
    lastStatus: null,
    lastError: null,
    createdAt: now,
    deliveredAt: null,
  };
  const created = await writeJSON(keys.webhookDelivery(state.runId), deliveryDoc, delivery, { onlyIfNew: true });
  return created ? delivery : readDelivery(state.runId);
}

export async function readDelivery(runId: Id): Promise<Delivery | null> {
  return (await readJSON(keys.webhookDelivery(runId), deliveryDoc))?.value ?? null;
}

export interface ClaimOptions {
  now: Date;
  /** How long the attempt holds the delivery; a crashed holder's claim simply expires. */
  holdMs: number;
  /** Attempts in all; once they are used up the delivery is abandoned instead of claimed. */
  maxAttempts: number;
}

/**
 * Takes a due delivery for one attempt (compare-and-swap), counting the attempt
 * as it is taken: an attempt whose invocation dies still counts. A delivery whose
 * last attempt's claim expired without an outcome is abandoned here, so one that
 * never gets an answer ends all the same. Null when there is nothing to attempt.
 */
export async function claimDelivery(runId: Id, options: ClaimOptions): Promise<Delivery | null> {
  const now = options.now.getTime();
  let claimed: Delivery | null = null;
  const updated = await updateJSON(keys.webhookDelivery(runId), deliveryDoc, (current): Delivery | typeof UNCHANGED => {
    claimed = null;
    if (!current || current.status !== 'pending') return UNCHANGED;
    if (Date.parse(current.nextAttemptAt) > now) return UNCHANGED;
    if (current.claimedUntil && Date.parse(current.claimedUntil) > now) return UNCHANGED;
    if (current.attempts >= options.maxAttempts)
      return {
        ...current,
        status: 'abandoned' as const,
        claimedUntil: null,
        lastError: 'the last attempt ended without an outcome',
      };
    claimed = {
      ...current,
      attempts: current.attempts + 1,
      claimedUntil: new Date(now + options.holdMs).toISOString(),
    };
    return claimed;
  });
  if (updated?.status === 'abandoned') await finish(updated);
  return claimed;
}

/** Records a failed attempt and when to try again (or gives up). */
export async function rescheduleDelivery(
  runId: Id,
  outcome: { status: number | null; error: string },
  nextAttemptAt: Date | null,
): Promise<void> {
  const updated = await updateJSON(keys.webhookDelivery(runId), deliveryDoc, (current) => {
    if (!current || current.status !== 'pending') return UNCHANGED;
    return {
      ...current,
      claimedUntil: null,
      lastStatus: outcome.status,
      lastError: outcome.error.slice(0, 300),
      ...(nextAttemptAt ? { nextAttemptAt: nextAttemptAt.toISOString() } : { status: 'abandoned' as const }),
    };
  });
  if (updated?.status === 'abandoned') await finish(updated);
}

/** A 2xx arrived: the record moves beside its run and leaves the outbox. */
export async function markDelivered(delivery: Delivery, status: number): Promise<void> {
  await finish({
    ...delivery,
    status: 'delivered',
    claimedUntil: null,
    lastStatus: status,
    lastError: null,
    deliveredAt: new Date().toISOString(),
  });
}

async function finish(delivery: Delivery): Promise<void> {
  await writeJSON(finishedRef(delivery.projectId, delivery.runId), deliveryDoc, delivery);
  await deleteBlob(keys.webhookDelivery(delivery.runId));
}

export async function readFinishedDelivery(projectId: Id, runId: Id): Promise<Delivery | null> {
  return (await readJSON(finishedRef(projectId, runId), deliveryDoc))?.value ?? null;
}
