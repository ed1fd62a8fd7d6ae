import type { Store } from '@netlify/blobs';
import { decodeDocument, encodeDocument, type DocumentMeta, type DocumentType } from './codec.js';
import { BlobTooLargeError, BlobWriteError, CorruptBlobError, WriteConflictError } from './errors.js';
import { runExclusive } from './key-queue.js';
import type { BlobRef } from './keys.js';
import { openStore } from './stores.js';
import { sleep } from '../retry.js';

export interface StoredDocument<T> {
  value: T;
  meta: DocumentMeta;
  /** Present when the store reported one; needed for a conditional write. */
  etag: string | undefined;
}

const nowIso = () => new Date().toISOString();

/**
 * The local Blobs server writes a body and then its metadata as two files, so a
 * reader can briefly see a new body with old metadata, for as long as the
 * writer is kept from its second write (over 100 ms on a machine busy with
 * renders). A hash mismatch is read again, backing off from 15 ms, for about
 * two seconds before it is believed; a really damaged blob stays damaged.
 */
const HASH_REREADS = 7;

async function fetchRaw(store: Store, key: string) {
  return store.getWithMetadata(key, { type: 'arrayBuffer', consistency: 'strong' });
}

/** Reads and verifies a document; `null` when there is none. Corruption throws CorruptBlobError. */
export async function readJSON<T>(ref: BlobRef, type: DocumentType<T>): Promise<StoredDocument<T> | null> {
  const store = openStore(ref.store);
  for (let attempt = 0; ; attempt++) {
    const raw = await fetchRaw(store, ref.key);
    if (!raw) return null;
    try {
      const { value, meta } = decodeDocument(type, ref, raw.data, raw.metadata);
      return { value, meta, etag: raw.etag };
    } catch (error) {
      const transient = error instanceof CorruptBlobError && (error.reason === 'hash' || error.reason === 'metadata');
      if (!transient || attempt >= HASH_REREADS) throw error;
      await sleep(15 * 2 ** attempt);
    }
  }
}

function checkSize(ref: BlobRef, bytes: number): void {
  if (bytes > ref.maxBytes) throw new BlobTooLargeError(ref.store, ref.key, bytes, ref.maxBytes);
}

/** Writes a document unconditionally (or only if new); returns whether it was written. */
export async function writeJSON<T>(
  ref: BlobRef,
  type: DocumentType<T>,
  value: T,
  options: { onlyIfNew?: boolean; createdAt?: string; at?: Date } = {},
): Promise<boolean> {
  const checked = type.schema.parse(value);
  // `at` stamps the document with another time (imports, and tests of age-based retention).
  const now = options.at ? options.at.toISOString() : nowIso();
  const { body, meta } = encodeDocument(type, checked, { createdAt: options.createdAt ?? now, updatedAt: now });
  checkSize(ref, meta.bytes);
  const store = openStore(ref.store);
  return runExclusive(`${ref.store}/${ref.key}`, async () => {
    if (options.onlyIfNew) {
      const result = await store.set(ref.key, toArrayBuffer(body), { metadata: meta, onlyIfNew: true });
      if (result.modified && !result.etag) throw new BlobWriteError(ref.store, ref.key);
      return result.modified;
    }
    await store.set(ref.key, toArrayBuffer(body), { metadata: meta });
    return true;
  });
}

/** Returned by an update function to leave the document as it is. */
export const UNCHANGED: unique symbol = Symbol('unchanged');

export interface UpdateOptions {
  /** Conflicting writes tolerated before giving up with WriteConflictError. */
  maxAttempts?: number;
}

/**
 * Compare-and-swap: reads the document, applies `update`, and writes the result
 * only if nobody wrote in between (`onlyIfNew` / `onlyIfMatch`), retrying on a
 * lost race. `update` must be a pure function of its input: it may run again.
 */
export async function updateJSON<T>(
  ref: BlobRef,
  type: DocumentType<T>,
  update: (current: T | null, meta: DocumentMeta | null) => T | typeof UNCHANGED | Promise<T | typeof UNCHANGED>,
  options: UpdateOptions = {},
): Promise<T | null> {
  const maxAttempts = options.maxAttempts ?? 12;
  const store = openStore(ref.store);
  return runExclusive(`${ref.store}/${ref.key}`, async () => {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const current = await readForUpdate(store, ref, type);
      const next = await update(current?.value ?? null, current?.meta ?? null);
      if (next === UNCHANGED) return current?.value ?? null;
      const checked = type.schema.parse(next);
      const now = nowIso();
      const { body, meta } = encodeDocument(type, checked, { createdAt: current?.meta.createdAt ?? now, updatedAt: now });
      checkSize(ref, meta.bytes);
      const result = current
        ? await store.set(ref.key, toArrayBuffer(body), { metadata: meta, onlyIfMatch: current.etag! })
        : await store.set(ref.key, toArrayBuffer(body), { metadata: meta, onlyIfNew: true });
      if (result.modified) {
        if (!result.etag) throw new BlobWriteError(ref.store, ref.key);
        return checked;
      }
      await sleep(Math.min(200, 5 * 2 ** attempt) * Math.random());
    }
    throw new WriteConflictError(ref.store, ref.key, maxAttempts);
  });
}

/**
 * Production returns an etag with every read. The local server does not, so
 * there the etag is taken from `list()` *before* the body is read: if a write
 * lands in between, the etag is stale and the conditional write fails safely.
 */
async function readForUpdate<T>(store: Store, ref: BlobRef, type: DocumentType<T>): Promise<StoredDocument<T> | null> {
  if (!etagOnReadMissing) {
    const doc = await readJSON(ref, type);
    if (!doc || doc.etag) return doc;
    etagOnReadMissing = true;
  }
  const etag = await etagFromList(store, ref.key);
  const doc = await readJSON(ref, type);
  if (!doc) return null;
  // Written after it was listed: the conditional write will fail and retry.
  return { ...doc, etag: etag ?? '"missing"' };
}

let etagOnReadMissing = false;

async function etagFromList(store: Store, key: string): Promise<string | undefined> {
  const { blobs } = await store.list({ prefix: key });
  return blobs.find((blob) => blob.key === key)?.etag;
}

export async function deleteBlob(ref: BlobRef): Promise<void> {
  await openStore(ref.store).delete(ref.key);
}

export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  // A Buffer's own slice() is a view, not a copy: a small Buffer lives in a shared pool, so copy with Uint8Array's.
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : (Uint8Array.prototype.slice.call(bytes).buffer as ArrayBuffer);
}
