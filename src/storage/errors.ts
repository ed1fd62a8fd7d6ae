import { AppError } from '../errors.js';
import { STORE_NAMES, type StoreId } from './stores.js';

export type CorruptionReason = 'header' | 'metadata' | 'size' | 'gzip' | 'hash' | 'json' | 'schema';

/** A stored document that cannot be trusted: its bytes, hash, compression or shape are broken. */
export class CorruptBlobError extends AppError {
  readonly store: string;
  readonly key: string;
  readonly reason: CorruptionReason;

  constructor(store: StoreId, key: string, reason: CorruptionReason, detail: string) {
    super(500, 'corrupt_blob', `Stored document is corrupt (${reason}): ${detail}`, {
      details: { store: STORE_NAMES[store], key, reason },
      retryable: false,
    });
    this.name = 'CorruptBlobError';
    this.store = STORE_NAMES[store];
    this.key = key;
    this.reason = reason;
  }
}

/** A write larger than the limit set for its store or key. */
export class BlobTooLargeError extends AppError {
  constructor(store: StoreId, key: string, bytes: number, limit: number) {
    super(413, 'too_large', `${STORE_NAMES[store]} accepts at most ${limit} bytes at this key; got ${bytes}.`, {
      details: { store: STORE_NAMES[store], key, bytes, limit },
      retryable: false,
    });
    this.name = 'BlobTooLargeError';
  }
}

/** A compare-and-swap update that kept losing races; the caller may try again later. */
export class WriteConflictError extends AppError {
  constructor(store: StoreId, key: string, attempts: number) {
    super(
      503,
      'write_conflict',
      `Gave up updating ${STORE_NAMES[store]}/${key} after ${attempts} conflicting writes; try again.`,
      {
        retryable: true,
        headers: { 'Retry-After': '1' },
      },
    );
    this.name = 'WriteConflictError';
  }
}

/**
 * A conditional write that reported success without an etag: the blobs client
 * does that for non-412 failures (e.g. 403), so it is treated as a failed write.
 */
export class BlobWriteError extends AppError {
  constructor(store: StoreId, key: string) {
    super(503, 'storage_write_failed', `Write to ${STORE_NAMES[store]}/${key} was not confirmed by the store.`, {
      retryable: true,
    });
    this.name = 'BlobWriteError';
  }
}
