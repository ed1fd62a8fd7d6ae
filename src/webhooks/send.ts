import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isBlockedAddress, resolveHost } from './url-policy.js';

export interface SendResult {
  status: number | null;
  error: string | null;
}

/**
 * Resolves the host for the connection itself and, in production, refuses a
 * private address there too: a name that was public when the run started
 * cannot be re-pointed at 127.0.0.1 before delivery (DNS rebinding).
 */
function guardedLookup(production: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolveHost(hostname).then(
      (found) => {
        const allowed = production ? found.filter((entry) => !isBlockedAddress(entry.address)) : found;
        const first = allowed[0];
        if (!first) return callback(Object.assign(new Error(`webhook host ${hostname} has no allowed address`), { code: 'EADDRNOTALLOWED' }), '', 4);
        if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: typeof allowed) => void)(null, allowed);
        callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 4),
    );
  };
}

/** One POST of a signed body; never throws, never follows redirects, gives up after `timeoutMs`. */
export function postWebhook(url: URL, headers: Record<string, string>, body: string, options: { production: boolean; timeoutMs: number }): Promise<SendResult> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: guardedLookup(options.production),
        timeout: options.timeoutMs,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? null, error: null }));
        res.on('error', (error) => resolve({ status: res.statusCode ?? null, error: error.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', (error) => resolve({ status: null, error: error.message }));
    req.end(body);
  });
}
