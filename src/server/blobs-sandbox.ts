import { randomBytes } from 'node:crypto';
import { BlobsServer, type OnRequestCallback } from '@netlify/blobs/server';
import { setEnvironmentContext } from '@netlify/blobs';
import { useLocalBlobsFetch } from '../storage/local-fetch.js';

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
  useLocalBlobsFetch();
  return { url, siteID, token, stop: () => server.stop().then(() => undefined) };
}
