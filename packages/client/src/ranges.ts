import { apiError, SirTravApiError } from './errors.js';

/** Bytes asked for per request: the server's per-response maximum (16 MiB). */
export const RANGE_BYTES = 16 * 1024 * 1024;

export interface RangedGetOptions {
  headers: Record<string, string>;
  fetch: typeof fetch;
  signal?: AbortSignal;
}

/**
 * GETs `url` one range at a time and yields the parts in order. The server
 * answers at most RANGE_BYTES a response (a video stored in pieces: sometimes
 * less), and its Content-Range names what it sent and the total, so the next
 * request starts where this one ended. A resource that fits one response may
 * come whole (200).
 */
export async function* rangedParts(
  url: string,
  options: RangedGetOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  let received = 0;
  let total = Number.POSITIVE_INFINITY;
  while (received < total) {
    const response = await options.fetch(url, {
      headers: { ...options.headers, range: `bytes=${received}-${received + RANGE_BYTES - 1}` },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (response.status !== 206 && !(response.status === 200 && received === 0)) {
      if (response.ok) await response.body?.cancel();
      throw response.ok ? unexpected(response, received) : await apiError(response);
    }
    const part = new Uint8Array(await response.arrayBuffer());
    if (response.status === 200) {
      yield part;
      return;
    }
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
    const sent = range ? { start: Number(range[1]), end: Number(range[2]), size: Number(range[3]) } : null;
    if (
      !sent ||
      sent.start !== received ||
      part.byteLength !== sent.end - received + 1 ||
      (received > 0 && sent.size !== total)
    ) {
      throw unexpected(response, received);
    }
    total = sent.size;
    received += part.byteLength;
    yield part;
  }
}

const unexpected = (response: Response, at: number) =>
  new SirTravApiError(
    response.status,
    'bad_range_response',
    `Unexpected range answer ${response.status} "${response.headers.get('content-range')}" at byte ${at}.`,
  );

/** All of it, joined. */
export async function readAll(parts: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const all: Uint8Array[] = [];
  for await (const part of parts) all.push(part);
  if (all.length === 1) return all[0]!;
  const joined = new Uint8Array(all.reduce((bytes, part) => bytes + part.byteLength, 0));
  let at = 0;
  for (const part of all) {
    joined.set(part, at);
    at += part.byteLength;
  }
  return joined;
}

/** A stream that asks for the next part only when its reader wants more: one range in memory at a time, whatever the size. */
export function streamOf(parts: AsyncGenerator<Uint8Array, void, undefined>): ReadableStream<Uint8Array> {
  return new ReadableStream(
    {
      async pull(controller) {
        const next = await parts.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await parts.return(undefined);
      },
      // Nothing is fetched before the first read.
    },
    { highWaterMark: 0 },
  );
}
