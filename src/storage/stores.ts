import { getStore, type Store } from '@netlify/blobs';

/** The six Netlify Blob stores. Nothing outside src/storage names them or imports @netlify/blobs. */
export const STORE_NAMES = {
  videos: 'sirtrav-videos',
  audio: 'sirtrav-audio',
  media: 'sirtrav-media',
  runs: 'sirtrav-runs',
  evals: 'sirtrav-evals',
  progress: 'sirtrav-progress',
} as const;

export type StoreId = keyof typeof STORE_NAMES;
export const STORE_IDS = Object.keys(STORE_NAMES) as StoreId[];

const MiB = 1024 * 1024;

/** Largest body accepted per blob, by store (API.md's storage table); a key may set a tighter one. */
export const STORE_LIMITS: Record<StoreId, number> = {
  videos: 500 * MiB,
  audio: 100 * MiB,
  media: 100 * MiB, // a clip (MAX_CLIP_BYTES)
  runs: 10 * MiB,
  evals: 1024,
  progress: 2 * MiB,
};

/**
 * A store handle. The connection comes from the environment (Netlify sets it in
 * functions; the local server and tests set it with `setEnvironmentContext`).
 */
export function openStore(id: StoreId): Store {
  return getStore({ name: STORE_NAMES[id], fetch: withTimeout(blobsFetch ?? globalThis.fetch) });
}

/**
 * A Blobs request with no complete answer after this long is abandoned, so a
 * hung connection cannot hang the work waiting on it (a render would hold its
 * lease forever); the failure is a network error that callers retry.
 */
const REQUEST_TIMEOUT_MS = 120_000;

const withTimeout =
  (base: typeof fetch): typeof fetch =>
  (input, init) => {
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    return base(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  };

let blobsFetch: typeof fetch | undefined;

/** A store handle whose requests go through `wrap` (census reads the sizes the listing API sends). */
export function openStoreThrough(id: StoreId, wrap: (base: typeof fetch) => typeof fetch): Store {
  return getStore({ name: STORE_NAMES[id], fetch: wrap(withTimeout(blobsFetch ?? globalThis.fetch)) });
}

/** Only for the local sandbox: a fetch that smooths over the local Blobs server's quirks. */
export function useBlobsFetch(fetchImpl: typeof fetch | undefined): void {
  blobsFetch = fetchImpl;
}
