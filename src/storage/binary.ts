import { BlobTooLargeError } from './errors.js';
import type { BlobRef } from './keys.js';
import { openStore, type StoreId } from './stores.js';
import { toArrayBuffer } from './documents.js';

/** Metadata values must be JSON; Netlify caps the whole object at 2 KB. */
export type BlobMetadata = Record<string, string | number | boolean | null | string[] | Record<string, unknown>>;

export interface StoredBinary {
  data: Uint8Array<ArrayBuffer>;
  metadata: Record<string, unknown>;
}

/**
 * Stores raw bytes (photos, audio, video) with metadata; returns whether it was written. `onlyIfNew` writes only
 * where nothing is; `onlyIfMatch` only over the blob with that etag (take it from a listing: local reads give none).
 */
export async function putBinary(
  ref: BlobRef,
  bytes: Uint8Array,
  metadata: BlobMetadata,
  options: { onlyIfNew?: boolean; onlyIfMatch?: string } = {},
): Promise<boolean> {
  if (bytes.byteLength > ref.maxBytes) throw new BlobTooLargeError(ref.store, ref.key, bytes.byteLength, ref.maxBytes);
  const store = openStore(ref.store);
  if (options.onlyIfNew) {
    const result = await store.set(ref.key, toArrayBuffer(bytes), { metadata, onlyIfNew: true });
    return result.modified;
  }
  if (options.onlyIfMatch !== undefined) {
    if (!options.onlyIfMatch) return false;
    const result = await store.set(ref.key, toArrayBuffer(bytes), { metadata, onlyIfMatch: options.onlyIfMatch });
    // A refused condition can also read as modified with no etag (see the store's notes): that is no write.
    return result.modified && Boolean(result.etag);
  }
  await store.set(ref.key, toArrayBuffer(bytes), { metadata });
  return true;
}

export async function getBinary(ref: BlobRef): Promise<StoredBinary | null> {
  const result = await openStore(ref.store).getWithMetadata(ref.key, { type: 'arrayBuffer', consistency: 'strong' });
  return result ? { data: new Uint8Array(result.data), metadata: result.metadata } : null;
}

/** Metadata only, without downloading the body; `null` when the blob does not exist. */
export async function getMetadata(ref: BlobRef): Promise<Record<string, unknown> | null> {
  const result = await openStore(ref.store).getMetadata(ref.key, { consistency: 'strong' });
  return result ? result.metadata : null;
}

export async function getMetadataByKey(store: StoreId, key: string): Promise<Record<string, unknown> | null> {
  const result = await openStore(store).getMetadata(key, { consistency: 'strong' });
  return result ? result.metadata : null;
}

/** Keys under a prefix, a page (≤ 1,000) at a time: never the whole listing in memory. */
export async function* listKeyPages(store: StoreId, prefix: string): AsyncGenerator<string[]> {
  for await (const page of openStore(store).list({ prefix, paginate: true })) {
    yield page.blobs.map((blob) => blob.key);
  }
}

/** Every key under a prefix with its etag: one listing request per 1,000 blobs, no reads. */
export async function listEtags(store: StoreId, prefix: string): Promise<Map<string, string>> {
  const etags = new Map<string, string>();
  for await (const page of openStore(store).list({ prefix, paginate: true }))
    for (const blob of page.blobs) etags.set(blob.key, blob.etag);
  return etags;
}

/** Immediate sub-folders of a prefix (e.g. the run ids under a project's runs/). */
export async function listDirectories(store: StoreId, prefix: string): Promise<string[]> {
  const directories: string[] = [];
  for await (const page of openStore(store).list({ prefix, paginate: true, directories: true })) {
    directories.push(...page.directories);
  }
  return directories;
}

export async function deleteKey(store: StoreId, key: string): Promise<void> {
  await openStore(store).delete(key);
}
