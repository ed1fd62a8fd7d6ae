import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startLocalServer, type LocalServer, type LocalServerOptions } from '../../src/server/local-server.js';

/** The real local server (functions over HTTP + a Blobs sandbox), once per test file. */
export function useLocalServer(options: Omit<LocalServerOptions, 'blobsDirectory'> = {}): {
  current: LocalServer;
  directory: string;
} {
  const holder = {} as { current: LocalServer; directory: string };
  beforeAll(async () => {
    holder.directory = await mkdtemp(join(tmpdir(), 'sirtrav-server-'));
    holder.current = await startLocalServer({ ...options, blobsDirectory: holder.directory });
  });
  afterAll(async () => {
    await holder.current?.close();
    await rm(holder.directory, { recursive: true, force: true });
  });
  return holder;
}
