import { errorFields, log } from '../log.js';
import type { RunState } from '../schemas/run.js';
import { enqueueWebhook } from '../webhooks/outbox.js';
import { flushMetrics, recordAgentDuration } from '../metrics/metrics.js';

/**
 * What operations does when a run reaches a terminal state: count each agent's
 * time and queue the run's webhook in the durable outbox (sending happens after,
 * see webhooks/deliver.ts). Never throws: a run's end does not depend on it.
 */
export async function onRunEnded(state: RunState): Promise<void> {
  for (const [agent, timing] of Object.entries(state.timings ?? {}))
    if (timing?.ms !== undefined) recordAgentDuration(agent, timing.ms);
  await enqueueWebhook(state).catch((error) => log.error('could not queue the run webhook', errorFields(error)));
  await flushMetrics().catch((error) => log.warn('metrics flush failed', errorFields(error)));
}
