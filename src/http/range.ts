/** One byte range of a resource of `size` bytes, inclusive at both ends. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parses a single-range `Range: bytes=…` header (RFC 9110 §14). Returns null
 * when there is no usable header (serve the whole body), 'unsatisfiable' when
 * the range lies outside the resource. An open-ended range is capped at
 * `maxChunk` bytes so each response stays under the platform's response limit.
 */
export function parseRange(header: string | null, size: number, maxChunk: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  if (start >= size) return 'unsatisfiable';
  const end = match[2] === '' ? Math.min(size - 1, start + maxChunk - 1) : Math.min(size - 1, Number(match[2]));
  if (end < start) return null;
  return { start, end };
}
