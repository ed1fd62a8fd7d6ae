import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { defineDocument, keys, readJSON, writeJSON, type Id } from '../storage/index.js';

/** Standard Webhooks secrets are `whsec_` + base64 of 24 to 64 random bytes. */
const secretSchema = z.object({ secret: z.string().regex(/^whsec_[A-Za-z0-9+/]+=*$/), createdAt: z.string() });
const secretDoc = defineDocument({ name: 'webhook-secret', version: 1, schema: secretSchema });

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/**
 * Creates the project's webhook signing secret; only the creation answer shows
 * it. Stored (not derived from the API secret) so rotating that secret does not
 * break every receiver.
 */
export async function createWebhookSecret(projectId: Id): Promise<string> {
  const secret = newSecret();
  const written = await writeJSON(
    keys.webhookSecret(projectId),
    secretDoc,
    { secret, createdAt: new Date().toISOString() },
    { onlyIfNew: true },
  );
  if (written) return secret;
  return (await readWebhookSecret(projectId))!;
}

/**
 * Gives the project a fresh secret whatever it had, and returns it: an
 * imported project never keeps a secret someone else chose or has seen.
 */
export async function replaceWebhookSecret(projectId: Id): Promise<string> {
  const secret = newSecret();
  await writeJSON(keys.webhookSecret(projectId), secretDoc, { secret, createdAt: new Date().toISOString() });
  return secret;
}

export async function readWebhookSecret(projectId: Id): Promise<string | null> {
  return (await readJSON(keys.webhookSecret(projectId), secretDoc))?.value.secret ?? null;
}
