import { createHmac, timingSafeEqual } from 'node:crypto';
import { getConfig } from '../config.js';

/**
 * The one signer of what the site vouches for with SIRTRAV_API_SECRET:
 * project tokens, signed links, and the requests that start background work.
 * HMAC-SHA256 in base64url; every message starts with what it is for
 * (`project:`, `GET `, `pipeline:`, `segment:`), so no signature serves two
 * purposes. Empty without a secret (auth is then disabled).
 */
export function siteSignature(message: string): string {
  const secret = getConfig().SIRTRAV_API_SECRET;
  return secret ? createHmac('sha256', secret).update(message).digest('base64url') : '';
}

/** Compares in constant time, so a guess learns nothing from how long a mismatch took. */
export function sameSignature(given: string, expected: string): boolean {
  const left = Buffer.from(given);
  const right = Buffer.from(expected);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** What the API hands the background function to run a run, so nobody else can start work through it. */
export const pipelineSignature = (projectId: string, runId: string): string =>
  siteSignature(`pipeline:${projectId}:${runId}`);

/** What the coordinator hands the background function for one segment. */
export const segmentSignature = (projectId: string, runId: string, segment: number): string =>
  siteSignature(`segment:${projectId}:${runId}:${segment}`);
