import { getConfig } from '../config.js';
import { AppError } from '../errors.js';
import { errorBodySchema } from '../schemas/error.js';
import type { Principal } from './auth.js';

/** Which read limit a GET counts against: byte routes (videos, photos, export parts) have their own, tighter one. */
export type ReadLimit = 'reads' | 'bytes';

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per client and limit, in this instance's memory. Functions are
 * stateless and any instance serves any request, so this is a first line per
 * instance, not a site-wide quota: it stops one client from keeping an instance
 * busy (each byte read costs Blobs traffic and up to 10 s of the instance),
 * and with N warm instances a client gets at most N times the limit. Buckets
 * are forgotten oldest first past MAX_BUCKETS, so memory stays bounded.
 */
const buckets = new Map<string, Bucket>();
const MAX_BUCKETS = 10_000;

/** Who is counted: the project of a token, the admin, else the client address Netlify reports. */
function clientOf(request: Request, principal: Principal): string {
  if (principal.kind === 'project') return `project:${principal.projectId}`;
  if (principal.kind === 'admin') return 'admin';
  // Set by Netlify's edge (a client cannot forge it there); absent locally, where every caller is one client.
  return `ip:${request.headers.get('x-nf-client-connection-ip') ?? 'local'}`;
}

const perMinute = (limit: ReadLimit) => {
  const config = getConfig();
  return limit === 'bytes' ? config.SIRTRAV_RATE_BYTES_PER_MIN : config.SIRTRAV_RATE_READS_PER_MIN;
};

/**
 * Counts one read against the caller's bucket; throws 429 `rate_limited` with
 * Retry-After when it is empty. A bucket holds a minute's worth of requests and
 * refills continuously; a limit of 0 turns it off.
 */
export function takeReadToken({
  request,
  principal,
  limit,
  now = Date.now(),
}: {
  request: Request;
  principal: Principal;
  limit: ReadLimit;
  now?: number;
}): void {
  const capacity = perMinute(limit);
  if (capacity === 0) return;
  const key = `${limit}:${clientOf(request, principal)}`;
  const perMs = capacity / 60_000;
  const previous = buckets.get(key);
  const tokens = previous ? Math.min(capacity, previous.tokens + (now - previous.at) * perMs) : capacity;
  buckets.delete(key);
  if (tokens < 1) {
    buckets.set(key, { tokens, at: now });
    const retryAfterSec = Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
    throw new AppError(
      429,
      'rate_limited',
      `Too many ${limit === 'bytes' ? 'downloads' : 'reads'} from this client (${capacity} a minute); retry in ${retryAfterSec} s.`,
      {
        details: { limit: capacity, windowSec: 60, retryAfterSec },
        headers: { 'Retry-After': String(retryAfterSec) },
      },
    );
  }
  buckets.set(key, { tokens: tokens - 1, at: now });
  if (buckets.size > MAX_BUCKETS) buckets.delete(buckets.keys().next().value!);
}

/** Every GET documents the answer of an empty bucket. */
export const rateLimitedDocs = {
  429: {
    description:
      'rate_limited: too many reads from this client (per instance); wait Retry-After seconds (details.retryAfterSec)',
    schema: errorBodySchema,
    headers: { 'Retry-After': 'Seconds to wait before the next request' },
  },
};
