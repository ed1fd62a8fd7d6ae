import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { progressEventSchema, type ProgressEvent } from '../../../src/schemas/progress.js';
import { runStateSchema, type RunState } from '../../../src/schemas/run.js';
import { ProgressStreamError } from './errors.js';

/**
 * What a progress stream tells, in order: each event once; a snapshot of the
 * run when this client fell behind the server's 200-event window; and last,
 * `done` with the run as it ended.
 */
export type ProgressUpdate =
  { type: 'progress'; event: ProgressEvent } | { type: 'snapshot'; run: RunState } | { type: 'done'; run: RunState };

export interface ProgressStreamOptions {
  /** Stops following (the iteration ends, no error). */
  signal?: AbortSignal;
  /** e.g. `{ authorization: 'Bearer …' }`; not needed with a signed link. */
  headers?: Record<string, string>;
  /** Resume after this seq. */
  lastEventId?: number;
  /** Consecutive failed connections tolerated before giving up. */
  maxFailures?: number;
  fetch?: typeof fetch;
}

export interface FollowProgressOptions extends ProgressStreamOptions {
  onEvent: (event: ProgressEvent) => void;
  /** Sent when this client fell behind the server's 200-event window: the run as it is now. */
  onSnapshot?: (state: RunState) => void;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    signal?.addEventListener('abort', wake, { once: true });
  });

/**
 * A run's progress stream as an async iterator: it reconnects with
 * `Last-Event-ID` whenever the server ends a window (~9 s), and ends after
 * `done`. Without a `done` it ends when aborted, or when the run had already
 * ended and its state cannot be read with these headers.
 */
export async function* progressUpdates(
  url: string,
  options: ProgressStreamOptions = {},
): AsyncGenerator<ProgressUpdate, void, undefined> {
  const doFetch = options.fetch ?? fetch;
  const maxFailures = options.maxFailures ?? 8;
  let lastId = options.lastEventId ?? 0;
  let retryMs = 1000;
  let failures = 0;
  /** Counts a failed connection: throws once too many have failed in a row, else waits before the next. */
  const failed = async (error: ProgressStreamError) => {
    if (++failures > maxFailures) throw error;
    await sleep(retryMs * Math.min(failures, 5), options.signal);
  };

  while (!options.signal?.aborted) {
    let response: Response;
    try {
      response = await doFetch(url, {
        headers: {
          ...options.headers,
          accept: 'text/event-stream',
          ...(lastId > 0 ? { 'last-event-id': String(lastId) } : {}),
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (options.signal?.aborted) return;
      await failed(new ProgressStreamError(`Could not connect: ${(error as Error).message}`, null));
      continue;
    }
    if (response.status === 204) {
      const final = await finalState(url, options);
      if (final) yield { type: 'done', run: final };
      return;
    }
    if (!response.ok || !response.body) {
      const body = await response.json().catch(() => undefined);
      const error = new ProgressStreamError(`Progress stream answered ${response.status}`, response.status, body);
      if (response.status < 500) throw error;
      await failed(error);
      continue;
    }
    failures = 0;

    const pending: ProgressUpdate[] = [];
    const parser = createParser({
      onRetry: (ms) => (retryMs = ms),
      onEvent: (message: EventSourceMessage) => {
        const update = readMessage(message);
        if (update?.type === 'progress') {
          if (update.event.seq <= lastId) return;
          lastId = update.event.seq;
        }
        if (update) pending.push(update);
      },
    });
    const decoder = new TextDecoder();
    try {
      // Leaving this loop early (done, or the caller stopped iterating) cancels the response body.
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        parser.feed(decoder.decode(chunk, { stream: true }));
        for (const update of pending.splice(0)) {
          if (options.signal?.aborted) return;
          yield update;
          if (update.type === 'done') return;
        }
      }
    } catch (error) {
      if (options.signal?.aborted) return;
      // A broken stream is resumed like a closed window, but counts as a failure.
      if (++failures > maxFailures) throw new ProgressStreamError(`Stream broke: ${(error as Error).message}`, null);
    }
    // The server closed its window; come back for the rest.
    await sleep(Math.min(retryMs, 250), options.signal);
  }
}

function readMessage(message: EventSourceMessage): ProgressUpdate | null {
  if (message.event === 'progress')
    return { type: 'progress', event: progressEventSchema.parse(JSON.parse(message.data)) };
  if (message.event === 'snapshot') return { type: 'snapshot', run: runStateSchema.parse(JSON.parse(message.data)) };
  if (message.event === 'done') return { type: 'done', run: runStateSchema.parse(JSON.parse(message.data)) };
  return null;
}

/**
 * Follows a run's progress stream until `done`, each event once and in order
 * (see `progressUpdates`). Resolves with the final RunState (null if aborted,
 * or if the run had already ended and its state cannot be read with these headers).
 */
export async function followProgress(url: string, options: FollowProgressOptions): Promise<RunState | null> {
  for await (const update of progressUpdates(url, options)) {
    if (update.type === 'progress') options.onEvent(update.event);
    else if (update.type === 'snapshot') options.onSnapshot?.(update.run);
    else return update.run;
  }
  return null;
}

async function finalState(url: string, options: ProgressStreamOptions): Promise<RunState | null> {
  const stateUrl = new URL(url);
  stateUrl.pathname = stateUrl.pathname.replace(/\/progress$/, '');
  stateUrl.search = '';
  const response = await (options.fetch ?? fetch)(stateUrl, {
    headers: { ...options.headers, accept: 'application/json' },
  }).catch(() => null);
  if (!response?.ok) return null;
  return runStateSchema.parse(await response.json());
}
