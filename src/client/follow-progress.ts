import { setTimeout as sleep } from 'node:timers/promises';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { progressEventSchema, type ProgressEvent } from '../schemas/progress.js';
import { runStateSchema, type RunState } from '../schemas/run.js';

export interface FollowProgressOptions {
  onEvent: (event: ProgressEvent) => void;
  /** Sent when this client fell behind the server's 200-event window: the run as it is now. */
  onSnapshot?: (state: RunState) => void;
  signal?: AbortSignal;
  /** e.g. `{ authorization: 'Bearer …' }`; not needed with a signed link. */
  headers?: Record<string, string>;
  /** Resume after this seq. */
  lastEventId?: number;
  /** Consecutive failed connections tolerated before giving up. */
  maxFailures?: number;
  fetch?: typeof fetch;
}

export class ProgressStreamError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ProgressStreamError';
  }
}

/** Waits `ms`, or until the signal aborts (the caller then sees it): never rejects. */
const pause = (ms: number, signal?: AbortSignal) => sleep(ms, undefined, { signal }).catch(() => undefined);

/**
 * Follows a run's progress stream, reconnecting with `Last-Event-ID` whenever
 * the server ends a window, until `done`. Each event is delivered once, in
 * order. Resolves with the final RunState (null if the run had already ended
 * and its state cannot be read with these headers).
 */
export async function followProgress(url: string, options: FollowProgressOptions): Promise<RunState | null> {
  const doFetch = options.fetch ?? fetch;
  let lastId = options.lastEventId ?? 0;
  let retryMs = 1000;
  let failures = 0;
  const maxFailures = options.maxFailures ?? 8;

  while (!options.signal?.aborted) {
    let response: Response;
    try {
      response = await doFetch(url, {
        headers: { ...options.headers, accept: 'text/event-stream', ...(lastId > 0 ? { 'last-event-id': String(lastId) } : {}) },
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) break;
      if (++failures > maxFailures) throw new ProgressStreamError(`Could not connect: ${(error as Error).message}`, null);
      await pause(retryMs * Math.min(failures, 5), options.signal);
      continue;
    }
    if (response.status === 204) return finalState(url, options);
    if (!response.ok || !response.body) {
      const body = await response.json().catch(() => undefined);
      if (response.status < 500 || ++failures > maxFailures)
        throw new ProgressStreamError(`Progress stream answered ${response.status}`, response.status, body);
      await pause(retryMs * Math.min(failures, 5), options.signal);
      continue;
    }
    failures = 0;

    let done: RunState | null = null;
    const parser = createParser({
      onRetry: (ms) => (retryMs = ms),
      onEvent: (message: EventSourceMessage) => {
        if (message.event === 'progress') {
          const event = progressEventSchema.parse(JSON.parse(message.data));
          if (event.seq > lastId) {
            lastId = event.seq;
            options.onEvent(event);
          }
        } else if (message.event === 'snapshot') {
          options.onSnapshot?.(runStateSchema.parse(JSON.parse(message.data)));
        } else if (message.event === 'done') {
          done = runStateSchema.parse(JSON.parse(message.data));
        }
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        if (done) break;
      }
    } catch (error) {
      if (options.signal?.aborted) break;
      if (++failures > maxFailures) throw new ProgressStreamError(`Stream broke: ${(error as Error).message}`, null);
    }
    if (done) return done;
    // The server closed its window; come back for the rest.
    await pause(Math.min(retryMs, 250), options.signal);
  }
  return null;
}

async function finalState(url: string, options: FollowProgressOptions): Promise<RunState | null> {
  const stateUrl = new URL(url);
  stateUrl.pathname = stateUrl.pathname.replace(/\/progress$/, '');
  stateUrl.search = '';
  const response = await (options.fetch ?? fetch)(stateUrl, { headers: { ...options.headers, accept: 'application/json' } }).catch(() => null);
  if (!response?.ok) return null;
  return runStateSchema.parse(await response.json());
}
