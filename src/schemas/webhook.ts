import { z } from 'zod';
import { isoDate } from './common.js';
import { runStateSchema } from './run.js';

export const webhookEventTypeSchema = z.enum(['run.completed', 'run.failed', 'run.cancelled']);
export type WebhookEventType = z.infer<typeof webhookEventTypeSchema>;

/** The body of a run webhook (API.md): what happened to the run, when, and the run as it ended. */
export const webhookEventSchema = z.object({
  type: webhookEventTypeSchema,
  /** When the event was queued; each attempt is also signed with its own `webhook-timestamp`. */
  timestamp: isoDate,
  data: runStateSchema,
});
export type WebhookEvent = z.infer<typeof webhookEventSchema>;
