import type { Config } from '@netlify/functions';
import { pruneHours } from '../../src/metrics/buckets.js';
import { flushMetrics } from '../../src/metrics/metrics.js';
import { sweepWebhooks } from '../../src/webhooks/sweep.js';

/**
 * Every minute: webhook deliveries still pending in the outbox (a receiver
 * that was down, a function that crashed mid-delivery) are attempted again
 * when due, and metric buckets older than 30 days are dropped. A scheduled
 * function has 30 s; the sweep's attempts all end within 20 s.
 */
export default async (): Promise<Response> => {
  const webhooks = await sweepWebhooks(20_000);
  const prunedHours = await pruneHours(new Date());
  await flushMetrics();
  return new Response(JSON.stringify({ webhooks, prunedHours }), { headers: { 'content-type': 'application/json' } });
};

export const config: Config = {
  schedule: '* * * * *',
};
