import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobsServer, type OnRequestCallback } from '@netlify/blobs/server';
import { setEnvironmentContext } from '@netlify/blobs';
import { log } from '../log.js';
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
export async function startBlobsSandbox(
  directory: string,
  options: { siteID?: string; onRequest?: OnRequestCallback } = {},
): Promise<BlobsSandbox> {
  const siteID = options.siteID ?? 'sirtrav-local';
  const token = randomBytes(16).toString('hex');
  const swept = await sweepPartialWrites(join(directory, 'entries'));
  if (swept > 0) log.warn('removed blobs a killed server left half-written', { directory, files: swept });
  const server = new BlobsServer({ directory, token, ...(options.onRequest ? { onRequest: options.onRequest } : {}) });
  const { port } = await server.start();
  const url = `http://127.0.0.1:${port}`;
  setEnvironmentContext({ siteID, token, edgeURL: url, uncachedEdgeURL: url });
  useLocalBlobsFetch();
  return { url, siteID, token, stop: () => server.stop().then(() => undefined) };
}

/**
 * The local server writes a body to `.<random>` beside its key and renames it
 * into place. A server killed before the rename leaves that file, which its
 * listings would then show as a key (no key of ours has a part starting with
 * "."). Removed before the server starts; a write of another server sharing the
 * directory that loses its file fails, and the blobs client retries it.
 */
async function sweepPartialWrites(entries: string): Promise<number> {
  const files = await readdir(entries, { recursive: true }).catch(() => [] as string[]);
  const partial = files.filter((path) => /(^|\/)\.[0-9a-z]+$/.test(path));
  await Promise.all(partial.map((path) => rm(join(entries, path), { force: true })));
  return partial.length;
}
