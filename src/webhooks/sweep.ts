import { getConfig } from '../config.js';
import { errorFields, log } from '../log.js';
import { listKeyPages, type Id } from '../storage/index.js';
import { attemptDelivery } from './deliver.js';
import { readDelivery } from './outbox.js';

/** Attempts in flight at once in one sweep. */
const SWEEP_CONCURRENCY = 8;
/** Attempts in flight at once to one receiver host: a dead or slow one never holds more slots than this. */
const PER_HOST = 2;

type Outcome = Awaited<ReturnType<typeof attemptDelivery>> | 'busy-host';

async function* pendingRunIds(): AsyncGenerator<Id> {
  for await (const page of listKeyPages('runs', 'ops/webhooks/pending/')) {
    for (const key of page) {
      const runId = /\/([A-Za-z0-9_-]{1,64})\.json$/.exec(key)?.[1];
      if (runId) yield runId as Id;
    }
  }
}

/** Attempts one delivery unless its receiver already has `PER_HOST` attempts in flight (then it waits for the next sweep). */
async function attemptUnlessBusy(runId: Id, inFlight: Map<string, number>): Promise<Outcome> {
  const delivery = await readDelivery(runId);
  if (!delivery) return 'not-due';
  const host = URL.canParse(delivery.url) ? new URL(delivery.url).host : '';
  const busy = inFlight.get(host) ?? 0;
  if (busy >= PER_HOST) return 'busy-host';
  inFlight.set(host, busy + 1);
  try {
    return await attemptDelivery(runId);
  } finally {
    inFlight.set(host, (inFlight.get(host) ?? 1) - 1);
  }
}

/**
 * Walks the outbox and attempts every due delivery, for the scheduled function.
 * Attempts run side by side (a bounded number, at most two per receiver host),
 * each cut at its own deadline, so a receiver that trickles or never answers
 * holds its own slots for at most that long and never the others' deliveries.
 * New attempts start only while a whole attempt still fits in `budgetMs`.
 */
export async function sweepWebhooks(
  budgetMs: number,
): Promise<{ attempted: number; delivered: number; skipped: number }> {
  const lastStart = Date.now() + budgetMs - getConfig().SIRTRAV_WEBHOOK_DEADLINE_MS;
  const runIds = pendingRunIds();
  const inFlight = new Map<string, number>();
  const tally = { attempted: 0, delivered: 0, skipped: 0 };
  const worker = async () => {
    while (Date.now() <= lastStart) {
      const next = await runIds.next();
      if (next.done) return;
      const outcome = await attemptUnlessBusy(next.value, inFlight).catch((error: unknown) => {
        log.warn('webhook attempt crashed', { runId: next.value, ...errorFields(error) });
        return 'retry' as const;
      });
      if (outcome === 'busy-host') tally.skipped++;
      else if (outcome !== 'not-due') tally.attempted++;
      if (outcome === 'delivered') tally.delivered++;
    }
  };
  await Promise.all(Array.from({ length: SWEEP_CONCURRENCY }, worker));
  await runIds.return(undefined);
  return tally;
}
