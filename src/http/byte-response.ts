import { AppError } from '../errors.js';
import { errorDoc } from './errors.js';
import { parseRange, type ByteRange } from './range.js';

/**
 * The most one response body carries. Netlify cuts a function's response at
 * 20 MB and 10 s (docs.netlify.com, functions overview); 16 MiB leaves room for
 * both. Larger resources are served in ranges of at most this size.
 */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export interface ByteSource {
  size: number;
  /** The bytes of `range`, or all of them. */
  open(range: ByteRange | null): Promise<ReadableStream<Uint8Array>> | Uint8Array;
  /** Releases the source when nothing is sent. */
  discard?(): Promise<void>;
  /** Where a response starting at `start` should stop to stay cheap to read (a video stored in pieces: two pieces). */
  cheapEnd?(start: number): number;
}

/**
 * A binary resource under the response limit: `Range` → 206 with at most
 * MAX_RESPONSE_BYTES, and no further than the source's cheap end (a longer or
 * open-ended range is shortened, and Content-Range says so); no `Range` → 200 with the whole body when it fits,
 * else 400 `range_required`, which names the size so a client can fetch it in
 * ranges. HEAD always answers 200 with the full Content-Length. A body is never
 * cut short.
 */
export async function serveBytes(
  request: Request,
  source: ByteSource,
  headers: Record<string, string>,
  what: string,
): Promise<Response> {
  const { size } = source;
  const base = { ...headers, 'accept-ranges': 'bytes' };
  const release = () => source.discard?.() ?? Promise.resolve();
  if (request.method === 'HEAD') {
    await release();
    return new Response(null, { status: 200, headers: { ...base, 'content-length': String(size) } });
  }
  const range = parseRange(request.headers.get('range'), size, MAX_RESPONSE_BYTES);
  if (range === 'unsatisfiable') {
    await release();
    throw new AppError(416, 'range_not_satisfiable', `The ${what} has ${size} bytes.`, {
      headers: { 'content-range': `bytes */${size}` },
    });
  }
  if (!range) {
    if (size <= MAX_RESPONSE_BYTES)
      return new Response(body(await source.open(null)), {
        status: 200,
        headers: { ...base, 'content-length': String(size) },
      });
    await release();
    throw new AppError(
      400,
      'range_required',
      `The ${what} has ${size} bytes, more than one response carries (${MAX_RESPONSE_BYTES}): request it in parts with a Range header, e.g. "Range: bytes=0-${MAX_RESPONSE_BYTES - 1}".`,
      {
        details: { bytes: size, maxRangeBytes: MAX_RESPONSE_BYTES },
        headers: { 'accept-ranges': 'bytes' },
      },
    );
  }
  const end = Math.min(
    range.end,
    range.start + MAX_RESPONSE_BYTES - 1,
    source.cheapEnd?.(range.start) ?? Number.POSITIVE_INFINITY,
  );
  return new Response(body(await source.open({ start: range.start, end })), {
    status: 206,
    headers: {
      ...base,
      'content-length': String(end - range.start + 1),
      'content-range': `bytes ${range.start}-${end}/${size}`,
    },
  });
}

const body = (bytes: ReadableStream<Uint8Array> | Uint8Array): BodyInit =>
  bytes instanceof Uint8Array ? (bytes as Uint8Array<ArrayBuffer>) : bytes;

/** Bytes already in memory. */
export function memorySource(bytes: Uint8Array): ByteSource {
  return { size: bytes.byteLength, open: (range) => (range ? bytes.subarray(range.start, range.end + 1) : bytes) };
}

/** The Range header, as binary routes document it. */
export const RANGE_HEADER_DOC = {
  name: 'Range',
  description:
    'bytes=start-end (one range). A range longer than 16 MiB, or open-ended, is answered with its first 16 MiB (a video: up to the end of the stored piece after the one the range starts in, at least 8 MiB); Content-Range names the part sent and the total.',
};

/** The answers `serveBytes` gives, for a route's documented responses. */
export function rangeResponseDocs(what: string, contentType: string) {
  return {
    200: {
      description: `The whole ${what}, when it is at most 16 MiB (HEAD always gives the full Content-Length)`,
      contentType,
    },
    206: { description: `A range of the ${what}, at most 16 MiB`, contentType },
    400: errorDoc(
      `range_required: the ${what} is larger than one response carries (details.bytes, details.maxRangeBytes); fetch it in ranges`,
    ),
    416: errorDoc(`Range outside the ${what}`),
  };
}
