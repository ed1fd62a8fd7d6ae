import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveWebhookTarget, type WebhookTarget } from './url-policy.js';

export interface SendResult {
  status: number | null;
  error: string | null;
}

export interface PostOptions {
  /** Refuse loopback and private addresses (see url-policy.ts). */
  guard: boolean;
  /** The whole attempt, resolving included, ends by then however the receiver trickles. */
  deadlineMs: number;
}

/** Of the answer's body only this much is read (for the error note), then the connection is closed. */
export const MAX_ANSWER_BYTES = 4096;

/** Answers every lookup with the one address that was checked: the connection cannot go anywhere else. */
function pinnedLookup(target: WebhookTarget): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all)
      return (callback as unknown as (error: null, addresses: WebhookTarget[]) => void)(null, [target]);
    callback(null, target.address, target.family);
  };
}

/** A short, printable piece of a non-2xx answer, for the delivery's `lastError`. */
function outcome(res: IncomingMessage, body: Buffer[]): SendResult {
  const status = res.statusCode ?? null;
  if (status !== null && status >= 200 && status < 300) return { status, error: null };
  const text = Buffer.concat(body)
    .toString('utf8')
    .replace(/[^\x20-\x7e]+/g, ' ')
    .trim()
    .slice(0, 200);
  return { status, error: `answered HTTP ${status}${text ? `: ${text}` : ''}` };
}

function open(
  url: URL,
  target: WebhookTarget,
  payload: { headers: Record<string, string>; body: string },
  finish: (result: SendResult) => void,
): ClientRequest {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const req = send(
    url,
    {
      method: 'POST',
      headers: { ...payload.headers, 'content-length': String(Buffer.byteLength(payload.body)) },
      lookup: pinnedLookup(target),
      // A fresh connection per attempt: no pooled socket to a formerly resolved address.
      agent: false,
    },
    (res) => {
      const body: Buffer[] = [];
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        body.push(chunk);
        read += chunk.length;
        if (read >= MAX_ANSWER_BYTES) finish(outcome(res, body));
      });
      res.on('end', () => finish(outcome(res, body)));
      res.on('error', (error) => finish({ status: null, error: error.message }));
      res.on('close', () => finish({ status: null, error: 'the answer ended early' }));
    },
  );
  req.on('error', (error) => finish({ status: null, error: error.message }));
  req.end(payload.body);
  return req;
}

/**
 * One POST of a signed body. Never throws and never follows redirects. The host
 * is resolved once and checked, and the connection goes to that checked address
 * (a name re-pointed at 127.0.0.1 after the check is not followed). The attempt
 * is cut at `deadlineMs` whatever stage it is in: a receiver sending one byte a
 * second holds it no longer than one that never answers.
 */
export function postWebhook(
  url: URL,
  headers: Record<string, string>,
  body: string,
  options: PostOptions,
): Promise<SendResult> {
  return new Promise((resolve) => {
    let req: ClientRequest | undefined;
    let settled = false;
    const finish = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ status: null, error: `no complete answer within ${options.deadlineMs} ms` }),
      options.deadlineMs,
    );
    resolveWebhookTarget(url, { guard: options.guard }).then(
      (target) => {
        if (!settled) req = open(url, target, { headers, body }, finish);
      },
      (error: Error) => finish({ status: null, error: error.message }),
    );
  });
}
