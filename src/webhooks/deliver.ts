import { Webhook } from 'standardwebhooks';
import { getConfig } from '../config.js';
import { log } from '../log.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Id } from '../storage/index.js';
import {
  claimDelivery,
  markDelivered,
  readDelivery,
  readFinishedDelivery,
  rescheduleDelivery,
  type Delivery,
} from './outbox.js';
import { readWebhookSecret } from './secret.js';
import { postWebhook } from './send.js';
import { webhookGuardOn } from './url-policy.js';

/** Attempts before a delivery is abandoned: with the backoff below, about a day of trying. */
export const MAX_DELIVERY_ATTEMPTS = 12;
/** An attempt holds its delivery this long (its deadline is at most 20 s); a crashed holder's claim expires and another takes over. */
const CLAIM_MS = 30_000;

/** Wait before attempt n+1: base × 4^(n-1), capped at 6 h (1 s, 4 s, 16 s, ~1 min, ~4 min, …). */
export function backoffMs(attempts: number, baseMs = getConfig().SIRTRAV_WEBHOOK_RETRY_BASE_MS): number {
  return Math.min(baseMs * 4 ** Math.max(0, attempts - 1), 6 * 3_600_000);
}

/** Headers per the Standard Webhooks specification, signed with the project's secret. */
export function signedHeaders(delivery: Delivery, secret: string, at = new Date()): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'SirTrav-Webhooks/1',
    'webhook-id': delivery.webhookId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(delivery.webhookId, at, delivery.payload),
  };
}

/** One attempt if the delivery is due and free; returns what became of it. */
export async function attemptDelivery(runId: Id, now = new Date()): Promise<'delivered' | 'retry' | 'not-due'> {
  const delivery = await claimDelivery(runId, { now, holdMs: CLAIM_MS, maxAttempts: MAX_DELIVERY_ATTEMPTS });
  if (!delivery) return 'not-due';
  const secret = await readWebhookSecret(delivery.projectId);
  const options = { guard: webhookGuardOn(), deadlineMs: getConfig().SIRTRAV_WEBHOOK_DEADLINE_MS };
  const result = secret
    ? await postWebhook(new URL(delivery.url), signedHeaders(delivery, secret), delivery.payload, options)
    : { status: null, error: 'the project has no webhook secret' };
  if (result.status !== null && result.status >= 200 && result.status < 300) {
    await markDelivered(delivery, result.status);
    log.info('webhook delivered', { runId, webhookId: delivery.webhookId, attempts: delivery.attempts });
    return 'delivered';
  }
  const error = result.error ?? `answered HTTP ${result.status}`;
  const next = delivery.attempts >= MAX_DELIVERY_ATTEMPTS ? null : new Date(Date.now() + backoffMs(delivery.attempts));
  await rescheduleDelivery(runId, { status: result.status, error }, next);
  log.warn(next ? 'webhook attempt failed; will retry' : 'webhook abandoned', {
    runId,
    attempts: delivery.attempts,
    error,
  });
  return 'retry';
}

/**
 * Delivers one run's webhook, retrying with backoff for as long as `budgetMs`
 * allows; what is left is picked up by the sweep from the same stored state.
 */
export async function deliverRunWebhook(
  projectId: Id,
  runId: Id,
  budgetMs: number,
): Promise<Delivery['status'] | 'none'> {
  const deadline = Date.now() + budgetMs;
  for (;;) {
    const delivery = await readDelivery(runId);
    if (!delivery) return (await readFinishedDelivery(projectId, runId))?.status ?? 'none';
    // Due, and not held by an attempt in flight elsewhere.
    const dueIn =
      Math.max(Date.parse(delivery.nextAttemptAt), delivery.claimedUntil ? Date.parse(delivery.claimedUntil) : 0) -
      Date.now();
    if (Date.now() + Math.max(0, dueIn) > deadline) return 'pending';
    if (dueIn > 0) await sleep(dueIn);
    await attemptDelivery(runId);
  }
}
