import type { Store } from '@netlify/blobs';
import {
  decodeDocument,
  encodeDocument,
  isSealed,
  metadataMatches,
  sha256Hex,
  type DocumentMeta,
  type DocumentType,
} from './codec.js';
import { BlobTooLargeError, BlobWriteError, CorruptBlobError, WriteConflictError } from './errors.js';
import { runExclusive } from './key-queue.js';
import type { BlobRef } from './keys.js';
import { openStore } from './stores.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorFields, log } from '../log.js';

export interface StoredDocument<T> {
  value: T;
  meta: DocumentMeta;
  /** Present when the store reported one; needed for a conditional write. */
  etag: string | undefined;
}

/** A document whose body cannot be trusted, handed to an update that may replace it (see UpdateOptions.replaceDamaged). */
export interface DamagedDocument {
  error: CorruptBlobError;
  /** The blob's metadata, an advisory copy of what the body held (may itself be stale). */
  metadata: Record<string, unknown>;
}

const nowIso = () => new Date().toISOString();

/**
 * A body written before bodies were sealed is checked against its metadata,
 * which the local Blobs server writes as a second file: a reader can briefly
 * see a new body with old metadata while the writer is between the two writes
 * (over 100 ms on a machine busy with renders). So such a mismatch is read
 * again, backing off from 15 ms, for about two seconds before it is believed.
 * A sealed body needs none of this: it is checked against itself.
 */
const HASH_REREADS = 7;

async function fetchRaw(store: Store, key: string) {
  return store.getWithMetadata(key, { type: 'arrayBuffer', consistency: 'strong' });
}

type RawRead<T> =
  | { kind: 'document'; doc: StoredDocument<T>; body: ArrayBuffer; metadataStale: boolean }
  | { kind: 'damaged'; damage: DamagedDocument; etag: string | undefined };

/** One verified read; `null` when there is none. Corruption is returned, not thrown, so an update may replace it. */
async function readDocument<T>(store: Store, ref: BlobRef, type: DocumentType<T>): Promise<RawRead<T> | null> {
  for (let attempt = 0; ; attempt++) {
    const raw = await fetchRaw(store, ref.key);
    if (!raw) return null;
    try {
      const { value, meta } = decodeDocument(type, ref, raw.data, raw.metadata);
      return {
        kind: 'document',
        doc: { value, meta, etag: raw.etag },
        body: raw.data,
        metadataStale: !metadataMatches(meta, raw.metadata),
      };
    } catch (error) {
      if (!(error instanceof CorruptBlobError)) throw error;
      const transient = (error.reason === 'hash' || error.reason === 'metadata') && !isSealed(new Uint8Array(raw.data));
      if (!transient || attempt >= HASH_REREADS)
        return { kind: 'damaged', damage: { error, metadata: raw.metadata }, etag: raw.etag };
      await sleep(15 * 2 ** attempt);
    }
  }
}

/**
 * Reads and verifies a document; `null` when there is none. Corruption throws
 * CorruptBlobError. Metadata a crash left stale or torn is rewritten from the
 * body on the way (see restoreMetadata).
 */
export async function readJSON<T>(ref: BlobRef, type: DocumentType<T>): Promise<StoredDocument<T> | null> {
  const store = openStore(ref.store);
  const read = await readDocument(store, ref, type);
  if (!read) return null;
  if (read.kind === 'damaged') throw read.damage.error;
  if (read.metadataStale) {
    await restoreMetadata(store, ref, type, read).catch((error: unknown) =>
      log.warn("could not restore a document's metadata; the next read tries again", {
        key: ref.key,
        ...errorFields(error),
      }),
    );
  }
  return read.doc;
}

/**
 * Writes the metadata copy again beside the same body, only if nothing was
 * written since (the etag is listed before the body is compared), so HEAD
 * reads, listings by status and retention see what the body says.
 */
async function restoreMetadata<T>(
  store: Store,
  ref: BlobRef,
  type: DocumentType<T>,
  read: Extract<RawRead<T>, { kind: 'document' }>,
): Promise<void> {
  await runExclusive(`${ref.store}/${ref.key}`, async () => {
    const etag = read.doc.etag ?? (await etagFromList(store, ref.key));
    const again = etag && (await fetchRaw(store, ref.key));
    if (!again || sha256Hex(new Uint8Array(again.data)) !== sha256Hex(new Uint8Array(read.body))) return;
    const metadata = { ...type.metaOf?.(read.doc.value), ...read.doc.meta };
    await store.set(ref.key, again.data, { metadata, onlyIfMatch: etag });
    log.info('restored the metadata of a document a crash left behind', { store: ref.store, key: ref.key });
  });
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
  /**
   * A document that cannot be read (its body fails its own checks) is passed to
   * `update` as `damaged`, with `current` null, and what `update` returns
   * replaces it, conditionally like any update. Without this, it throws.
   */
  replaceDamaged?: boolean;
}

type Update<T> = (
  current: T | null,
  meta: DocumentMeta | null,
  damaged: DamagedDocument | null,
) => T | typeof UNCHANGED | Promise<T | typeof UNCHANGED>;

/**
 * Compare-and-swap: reads the document, applies `update`, and writes the result
 * only if nobody wrote in between (`onlyIfNew` / `onlyIfMatch`), retrying on a
 * lost race. `update` must be a pure function of its input: it may run again.
 */
export async function updateJSON<T>(
  ref: BlobRef,
  type: DocumentType<T>,
  update: Update<T>,
  options: UpdateOptions = {},
): Promise<T | null> {
  const maxAttempts = options.maxAttempts ?? 12;
  const store = openStore(ref.store);
  return runExclusive(`${ref.store}/${ref.key}`, async () => {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const read = await readForUpdate(store, ref, type);
      if (read?.kind === 'damaged' && !options.replaceDamaged) throw read.damage.error;
      const current = read?.kind === 'document' ? read.doc : null;
      const damaged = read?.kind === 'damaged' ? read.damage : null;
      const next = await update(current?.value ?? null, current?.meta ?? null, damaged);
      if (next === UNCHANGED) return current?.value ?? null;
      const checked = type.schema.parse(next);
      const now = nowIso();
      const { body, meta } = encodeDocument(type, checked, {
        createdAt: current?.meta.createdAt ?? now,
        updatedAt: now,
      });
      checkSize(ref, meta.bytes);
      const result = read
        ? await store.set(ref.key, toArrayBuffer(body), {
            metadata: meta,
            onlyIfMatch: (read.kind === 'document' ? read.doc.etag : read.etag) ?? '"missing"',
          })
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
 * A missing etag becomes one that matches nothing, so the write fails and retries.
 */
async function readForUpdate<T>(store: Store, ref: BlobRef, type: DocumentType<T>): Promise<RawRead<T> | null> {
  const listed = etagOnReadMissing ? await etagFromList(store, ref.key) : undefined;
  const read = await readDocument(store, ref, type);
  if (!read) return null;
  const etag = read.kind === 'document' ? read.doc.etag : read.etag;
  if (etag) return read;
  if (!etagOnReadMissing) {
    // The first read without an etag: this store never gives one, so list first from now on.
    etagOnReadMissing = true;
    return readForUpdate(store, ref, type);
  }
  return read.kind === 'document'
    ? { ...read, doc: { ...read.doc, etag: listed ?? '"missing"' } }
    : { ...read, etag: listed ?? '"missing"' };
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
