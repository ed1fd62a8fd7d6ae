import { useBlobsFetch } from './stores.js';

/** Set for a child process whose parent talks to the local Blobs server, so it smooths over the same quirks. */
export const LOCAL_BLOBS_ENV = 'SIRTRAV_LOCAL_BLOBS';

let inUse = false;

/** Only for the local sandbox: every store's requests go through retryLocalReadFailures. */
export function useLocalBlobsFetch(): void {
  useBlobsFetch(retryLocalReadFailures);
  inUse = true;
}

export const usingLocalBlobsFetch = (): boolean => inUse;

/** In a child process: the parent's local-sandbox fetch, if the parent asked for it. */
export function useLocalBlobsFetchIfAsked(env: NodeJS.ProcessEnv = process.env): void {
  if (env[LOCAL_BLOBS_ENV] === '1') useLocalBlobsFetch();
}

/**
 * The local Blobs server writes a metadata file in place, so a read that lands
 * mid-write fails to parse it and answers 500; the blobs client would then wait
 * 5 s before retrying. Reads (never writes) are retried here after a few ms.
 */
export const retryLocalReadFailures: typeof fetch = async (input, init) => {
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  let response = await fetch(input, init);
  if (method !== 'GET' && method !== 'HEAD') return response;
  for (let attempt = 0; attempt < 5 && response.status === 500; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt));
    response = await fetch(input, init);
  }
  return response;
};
