import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startBlobsSandbox, type BlobsSandbox } from '../../src/server/blobs-sandbox.js';

/** A real local Blobs server on a temp directory, once per test file. */
export function useBlobsSandbox(): { current: BlobsSandbox; directory: string } {
  const holder = {} as { current: BlobsSandbox; directory: string };
  beforeAll(async () => {
    holder.directory = await mkdtemp(join(tmpdir(), 'sirtrav-blobs-'));
    holder.current = await startBlobsSandbox(holder.directory);
  });
  afterAll(async () => {
    await holder.current?.stop();
    await rm(holder.directory, { recursive: true, force: true });
  });
  return holder;
}
