import { LRUCache } from 'lru-cache';
import { recordCacheLookup } from '../metrics/metrics.js';

/**
 * Photo bytes kept by a warm function: a media id is the hash of its bytes, so
 * a cached copy can never be stale, only deleted (the caller checks that the
 * photo still exists before using it). Bounded by bytes, least recently used
 * first out, well inside a function's 1 GB.
 */
const MAX_BYTES = 64 * 1024 * 1024;

const cache = new LRUCache<string, Uint8Array<ArrayBuffer>>({
  maxSize: MAX_BYTES,
  // A photo larger than a quarter of the cache would push out everything else.
  maxEntrySize: MAX_BYTES / 4,
  sizeCalculation: (bytes) => Math.max(1, bytes.byteLength),
});

const keyOf = (projectId: string, mediaId: string) => `${projectId}/${mediaId}`;

/** Looks the photo up and counts the hit or miss in the operations figures. */
export function cachedMediaBytes(projectId: string, mediaId: string): Uint8Array<ArrayBuffer> | undefined {
  const bytes = cache.get(keyOf(projectId, mediaId));
  recordCacheLookup(bytes !== undefined);
  return bytes;
}

export function cacheMediaBytes(projectId: string, mediaId: string, bytes: Uint8Array<ArrayBuffer>): void {
  cache.set(keyOf(projectId, mediaId), bytes);
}

export function forgetMediaBytes(projectId: string, mediaId: string): void {
  cache.delete(keyOf(projectId, mediaId));
}

/** Empties the cache: tests that count hits from a known start, and a process done with the photos it read. */
export function clearMediaBytesCache(): void {
  cache.clear();
}
