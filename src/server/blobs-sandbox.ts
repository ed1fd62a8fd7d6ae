import { randomBytes } from 'node:crypto';
import { BlobsServer, type OnRequestCallback } from '@netlify/blobs/server';
import { setEnvironmentContext } from '@netlify/blobs';
import { useBlobsFetch } from '../storage/stores.js';

export interface BlobsSandbox {
  url: string;
  siteID: string;
  token: string;
  stop(): Promise<void>;
}

/**
 * A real local Blobs server on a directory, with the blobs library pointed at
 * it, as `netlify dev` does for functions.
 */
export async function startBlobsSandbox(directory: string, options: { siteID?: string; onRequest?: OnRequestCallback } = {}): Promise<BlobsSandbox> {
  const siteID = options.siteID ?? 'sirtrav-local';
  const token = randomBytes(16).toString('hex');
  const server = new BlobsServer({ directory, token, ...(options.onRequest ? { onRequest: options.onRequest } : {}) });
  const { port } = await server.start();
  const url = `http://127.0.0.1:${port}`;
  setEnvironmentContext({ siteID, token, edgeURL: url, uncachedEdgeURL: url });
  useBlobsFetch(retryLocalReadFailures);
  return { url, siteID, token, stop: () => server.stop().then(() => undefined) };
}

/**
 * The local Blobs server writes a metadata file in place, so a read that lands
 * mid-write fails to parse it and answers 500; the blobs client would then wait
 * 5 s before retrying. Reads (never writes) are retried here after a few ms.
 */
const retryLocalReadFailures: typeof fetch = async (input, init) => {
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  let response = await fetch(input, init);
  if (method !== 'GET' && method !== 'HEAD') return response;
  for (let attempt = 0; attempt < 5 && response.status === 500; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt));
    response = await fetch(input, init);
  }
  return response;
};
