import { Webhook } from 'standardwebhooks';
import { webhookEventSchema, type WebhookEvent } from '../../../src/schemas/webhook.js';
import { WebhookVerificationError } from './errors.js';

export interface VerifyWebhookOptions {
  /** The request body exactly as received (before any JSON parsing): the signature covers these bytes. */
  payload: string | Uint8Array;
  /** The request's headers: a `Headers`, or Node's `IncomingHttpHeaders`. */
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The project's webhook secret (`whsec_…`), returned once when the project was created. */
  secret: string;
}

const SIGNED_HEADERS = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

/**
 * Checks a run webhook per the Standard Webhooks specification and returns its
 * event. Throws `WebhookVerificationError` for a missing or bad signature, a
 * timestamp more than 5 minutes from now (a replay), or a body that is not a
 * run event.
 */
export function verifyWebhook(options: VerifyWebhookOptions): WebhookEvent {
  const headers = Object.fromEntries(SIGNED_HEADERS.map((name) => [name, header(options.headers, name)]));
  const payload = typeof options.payload === 'string' ? options.payload : decode(options.payload);
  let body: unknown;
  try {
    body = new Webhook(options.secret).verify(payload, headers);
  } catch (error) {
    throw new WebhookVerificationError(`Webhook refused: ${(error as Error).message}`, { cause: error });
  }
  const event = webhookEventSchema.safeParse(body);
  if (!event.success)
    throw new WebhookVerificationError(`Webhook signed but not a run event: ${event.error.message}`, {
      cause: event.error,
    });
  return event.data;
}

function header(headers: VerifyWebhookOptions['headers'], name: string): string {
  const value = headers instanceof Headers ? headers.get(name) : headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function decode(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new WebhookVerificationError('Webhook refused: the body is not UTF-8.', { cause: error });
  }
}
