import { setTimeout as sleep } from 'node:timers/promises';
import { getConfig } from '../config.js';
import { AppError } from '../errors.js';
import { errorFields, log } from '../log.js';
import { isTerminal, type RunState } from '../schemas/run.js';
import { appendProgress, readProgress, progressVersion, type ProgressView } from './event-log.js';
import { formatComment, formatRetry, formatSse } from './sse.js';
import type { Id } from '../storage/index.js';

const HEARTBEAT_MS = 3000;
const RETRY_MS = 1000;

/** `Last-Event-ID` header, else `?lastEventId=`, else 0 (from the start). */
export function parseLastEventId(request: Request, url: URL): number {
  const raw = request.headers.get('last-event-id') ?? url.searchParams.get('lastEventId');
  if (raw === null || raw === '') return 0;
  if (!/^\d{1,12}$/.test(raw.trim()))
    throw new AppError(
      400,
      'invalid_last_event_id',
      'Last-Event-ID must be a non-negative whole number (the seq of the last event received).',
    );
  return Number(raw.trim());
}

/**
 * The SSE response for a run's progress: everything after `lastEventId`, then
 * the log tailed until the run is terminal (`done` with the final RunState) or
 * the stream window (8 s from the request, under Netlify's 10 s) runs out. A reader behind the
 * 200-event window first gets a `snapshot` of the run. A reader that already has
 * the terminal event gets 204.
 */
/** Reads the run's state (or throws its 404); given by the caller, so progress needs nothing from runs/. */
export type RunReader = () => Promise<RunState>;

export async function progressStream({
  projectId,
  runId,
  lastEventId,
  receivedAt,
  requestSignal,
  requireRun,
}: {
  projectId: Id;
  runId: Id;
  lastEventId: number;
  /** When the function received the request: Netlify's 10 s count from the invocation, routing and auth included. */
  receivedAt: number;
  requestSignal: AbortSignal;
  requireRun: RunReader;
}): Promise<Response> {
  const config = getConfig();
  const deadline = receivedAt + config.SIRTRAV_STREAM_WINDOW_MS;
  const run = await requireRun();
  let first = await readProgress(projectId, runId, { afterSeq: lastEventId });
  if (isTerminal(run.status) && !first.terminal) {
    // The run ended but its terminal event was never written (a crash between the two writes): write it now.
    await appendProgress(projectId, runId, {
      agent: 'pipeline',
      status: run.status,
      progress: run.progress,
      message: `run ${run.status}`,
    });
    first = await readProgress(projectId, runId, { afterSeq: lastEventId });
  }
  if (first.terminal && lastEventId >= first.lastSeq) return new Response(null, { status: 204 });

  const stop = new AbortController();
  requestSignal.addEventListener('abort', () => stop.abort(), { once: true });
  const encoder = new TextEncoder();

  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (text: string) => {
        if (!stop.signal.aborted) controller.enqueue(encoder.encode(text));
      };
      const close = () => {
        stop.abort();
        try {
          controller.close();
        } catch {
          // Already closed by the client.
        }
      };
      // A read still in flight at the deadline must not hold the response open past it.
      const cutOff = setTimeout(close, Math.max(0, deadline - Date.now()));
      try {
        send(formatRetry(RETRY_MS));
        const behindWindow = lastEventId < first.firstSeq - 1 && first.dropped > 0;
        if (behindWindow) send(formatSse({ event: 'snapshot', data: JSON.stringify(run) }));
        await tail(first, lastEventId, send);
      } catch (error) {
        log.warn('progress stream ended by an error', errorFields(error));
        send(
          formatSse({
            event: 'error',
            data: JSON.stringify({
              code: 'stream_failed',
              message: 'The progress stream failed; reconnect to resume.',
            }),
          }),
        );
      } finally {
        clearTimeout(cutOff);
        close();
      }
    },
    cancel() {
      stop.abort();
    },
  });

  async function tail(initial: ProgressView, afterSeq: number, send: (text: string) => void): Promise<void> {
    let lastSent = afterSeq;
    let view: ProgressView | null = initial;
    // The version of the read that produced these events: an event appended after that read changes it,
    // so the first poll fetches it at once instead of a window later.
    let version = initial.version;
    let lastWrite = Date.now();
    while (!stop.signal.aborted) {
      if (view) {
        for (const event of view.events) {
          if (event.seq <= lastSent) continue;
          send(formatSse({ id: event.seq, event: 'progress', data: JSON.stringify(event) }));
          lastSent = event.seq;
          lastWrite = Date.now();
        }
        if (view.terminal) {
          const final = await requireRun();
          send(formatSse({ event: 'done', data: JSON.stringify(final) }));
          return;
        }
      }
      if (Date.now() >= deadline) return;
      if (Date.now() - lastWrite >= HEARTBEAT_MS) {
        send(formatComment('keep-alive'));
        lastWrite = Date.now();
      }
      // A stop ends the wait early; the loop then sees it.
      await sleep(Math.min(config.SIRTRAV_PROGRESS_POLL_MS, Math.max(0, deadline - Date.now())), undefined, {
        signal: stop.signal,
      }).catch(() => undefined);
      // Poll metadata only; download the events when they changed.
      const next = await progressVersion(projectId, runId);
      view = next !== version ? await readProgress(projectId, runId, { afterSeq: lastSent }) : null;
      version = view ? view.version : next;
    }
  }

  return new Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
}
