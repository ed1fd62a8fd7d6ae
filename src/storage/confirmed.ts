import type { DocumentMeta, DocumentType } from './codec.js';
import { readJSON, updateJSON, UNCHANGED } from './documents.js';
import { WriteConflictError } from './errors.js';
import type { BlobRef } from './keys.js';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a read-back waits where the store gives no etags (the local server), for a racing write to land first. */
const LOCAL_SETTLE_MS = 40;
const ROUNDS = 6;

export interface ConfirmedUpdate<T> {
  ref: BlobRef;
  type: DocumentType<T>;
  /** As updateJSON's: pure, may run again, may throw to refuse. */
  update: (current: T | null, meta: DocumentMeta | null) => T | typeof UNCHANGED | Promise<T | typeof UNCHANGED>;
  /** Whether a stored value holds the change (a slot taken, an entry gone). */
  holds: (value: T | null) => boolean;
}

/**
 * updateJSON for a change that must not be lost, such as a counted slot.
 * Production's conditional writes are atomic; the local Blobs server's are not
 * across processes: two writers that read one version can both "win", and the
 * later write silently drops the other's change. So the document is read back
 * (after a short pause where reads carry no etag, i.e. locally) and the change
 * is made again if it is gone. Returns the value as read back.
 */
export async function updateConfirmed<T>({ ref, type, update, holds }: ConfirmedUpdate<T>): Promise<T | null> {
  for (let round = 1; round <= ROUNDS; round++) {
    await updateJSON(ref, type, update);
    let stored = await readJSON(ref, type);
    if (stored && !stored.etag) {
      await sleep(LOCAL_SETTLE_MS);
      stored = await readJSON(ref, type);
    }
    const value = stored?.value ?? null;
    if (holds(value)) return value;
  }
  throw new WriteConflictError(ref.store, ref.key, ROUNDS);
}
