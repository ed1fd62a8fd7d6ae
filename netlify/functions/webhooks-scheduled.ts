import type { Config } from '@netlify/functions';
import { flushMetrics } from '../../src/operations/metrics.js';
import { sweepWebhooks } from '../../src/webhooks/deliver.js';

/**
 * Every minute: webhook deliveries still pending in the outbox (a receiver
 * that was down, a function that crashed mid-delivery) are attempted again
 * when due. A scheduled function has 30 s; the sweep stops at 20 s.
 */
export default async (): Promise<Response> => {
  const result = await sweepWebhooks(20_000);
  await flushMetrics();
  return new Response(JSON.stringify(result), { headers: { 'content-type': 'application/json' } });
};

export const config: Config = {
  schedule: '* * * * *',
};
