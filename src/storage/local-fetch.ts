import { setTimeout as sleep } from 'node:timers/promises';
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
 * A HEAD still failing, or answering 404, is checked with a GET: a kill between
 * the server's two files leaves a body whose metadata is torn (HEAD 500 for
 * good) or missing (HEAD 404 although the blob exists). The blob then reads as
 * it is, with no metadata, until a read of the document writes its metadata
 * again (documents.ts).
 */
export const retryLocalReadFailures: typeof fetch = async (input, init) => {
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  let response = await fetch(input, init);
  if (method !== 'GET' && method !== 'HEAD') return response;
  for (let attempt = 0; attempt < 5 && response.status === 500; attempt++) {
    await sleep(5 * 2 ** attempt);
    response = await fetch(input, init);
  }
  if (method === 'HEAD' && (response.status === 500 || response.status === 404))
    return headThroughGet(input, init, response);
  return response;
};

async function headThroughGet(
  input: Parameters<typeof fetch>[0],
  init: RequestInit | undefined,
  head: Response,
): Promise<Response> {
  const get = await fetch(input instanceof Request ? new Request(input, { method: 'GET' }) : input, {
    ...init,
    method: 'GET',
  });
  await get.body?.cancel();
  if (get.status !== 200) return head;
  const headers = new Headers(get.headers);
  headers.delete('content-length');
  return new Response(null, { status: 200, headers });
}
