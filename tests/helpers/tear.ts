import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { STORE_NAMES, type BlobRef } from '../../src/storage/index.js';

/**
 * How a kill leaves a blob of the local Blobs server, which writes the body
 * (to a temporary file renamed into place) and then the metadata file, in place:
 * - `body-only`: killed after the rename: the new body beside the old metadata;
 * - `metadata-only`: the reverse (the new metadata beside the old body);
 * - `half-metadata`: killed while writing the metadata file;
 * - `no-metadata`: a first write killed after the rename;
 * - `truncated-body`: a body cut short (a damaged disk; the server's rename never does this).
 */
export type Tear = 'body-only' | 'metadata-only' | 'half-metadata' | 'no-metadata' | 'truncated-body';

export interface TearOptions {
  /** The sandbox's directory (`useBlobsSandbox().directory` or `useLocalServer().directory`). */
  directory: string;
  ref: BlobRef;
  tear: Tear;
  /** The write the kill interrupted: its body and metadata, as the server would have written them. */
  next: { body: Uint8Array; metadata: Record<string, unknown> };
  siteID?: string;
}

/** The two files of a blob, laid out as `@netlify/blobs/server` lays them out. */
export function blobFiles(directory: string, ref: BlobRef, siteID = 'sirtrav-local') {
  const parts = ref.key.split('/');
  // Site-wide stores (getStore({ name })) live under "site:<name>".
  const store = `site:${STORE_NAMES[ref.store]}`;
  return {
    data: join(directory, 'entries', siteID, store, ...parts),
    metadata: join(directory, 'metadata', siteID, store, ...parts),
  };
}

export async function tearBlob({ directory, ref, tear, next, siteID }: TearOptions): Promise<void> {
  const files = blobFiles(directory, ref, siteID);
  const metadataText = JSON.stringify(next.metadata);
  await mkdir(dirname(files.data), { recursive: true });
  await mkdir(dirname(files.metadata), { recursive: true });
  if (tear === 'metadata-only') return writeFile(files.metadata, metadataText);
  if (tear === 'truncated-body') {
    await writeFile(files.data, next.body.subarray(0, next.body.byteLength - 7));
    return writeFile(files.metadata, metadataText);
  }
  await writeFile(files.data, next.body);
  if (tear === 'half-metadata')
    await writeFile(files.metadata, metadataText.slice(0, Math.floor(metadataText.length / 2)));
  if (tear === 'no-metadata') await rm(files.metadata, { force: true });
}

export async function readMetadataFile(directory: string, ref: BlobRef): Promise<string | null> {
  return readFile(blobFiles(directory, ref).metadata, 'utf8').catch(() => null);
}
