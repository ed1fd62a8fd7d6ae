import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import { newId } from '../new-id.js';
import { UPLOAD_PART_SIZE, type Media, type UploadSession } from '../schemas/media.js';
import {
  deleteKey,
  getBinary,
  getMetadata,
  keys,
  putBinary,
  readJSON,
  updateJSON,
  UNCHANGED,
  writeJSON,
  type Id,
} from '../storage/index.js';
import { examinePhoto, requireMedia, storePhoto } from './library.js';
import { uploadSessionDoc, type StoredUploadSession } from './upload-session.js';

/** Incomplete uploads are removed by retention after this long. */
export const UPLOAD_TTL_MS = 24 * 3600 * 1000;

export async function startUpload(
  projectId: Id,
  request: { filename: string; bytes: number; sha256?: string | undefined },
): Promise<UploadSession> {
  const now = Date.now();
  const session: StoredUploadSession = {
    uploadId: newId('u', now),
    projectId,
    filename: request.filename,
    bytes: request.bytes,
    sha256: request.sha256 ?? null,
    partSize: UPLOAD_PART_SIZE,
    partCount: Math.ceil(request.bytes / UPLOAD_PART_SIZE),
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + UPLOAD_TTL_MS).toISOString(),
    mediaId: null,
  };
  await writeJSON(keys.uploadSession(projectId, session.uploadId), uploadSessionDoc, session, { onlyIfNew: true });
  return session;
}

async function requireSession(projectId: Id, uploadId: Id) {
  const doc = await readJSON(keys.uploadSession(projectId, uploadId), uploadSessionDoc);
  if (!doc)
    throw new AppError(
      404,
      'upload_not_found',
      `Upload ${uploadId} does not exist in project ${projectId} (or has expired).`,
    );
  return doc.value;
}

/** Bytes part `n` must hold: `partSize`, except the last, which holds the rest. */
export function expectedPartBytes(session: Pick<UploadSession, 'bytes' | 'partSize' | 'partCount'>, n: number): number {
  return n < session.partCount - 1 ? session.partSize : session.bytes - session.partSize * (session.partCount - 1);
}

/** Stores part `n`. Idempotent: parts may come in any order and be sent again. */
export async function putPart(
  projectId: Id,
  uploadId: Id,
  n: number,
  readBody: (limit: number) => Promise<Uint8Array>,
): Promise<{ n: number; bytes: number }> {
  const session = await requireSession(projectId, uploadId);
  if (session.mediaId) throw new AppError(409, 'upload_completed', `Upload ${uploadId} is already complete.`);
  if (n >= session.partCount)
    throw new AppError(
      400,
      'invalid_part',
      `Part ${n} is out of range: this upload has parts 0 to ${session.partCount - 1}.`,
    );
  const expected = expectedPartBytes(session, n);
  const body = await readBody(session.partSize);
  if (body.byteLength !== expected) {
    throw new AppError(
      400,
      'part_size_mismatch',
      `Part ${n} must be exactly ${expected} bytes; got ${body.byteLength}.`,
      {
        details: { expected, received: body.byteLength },
      },
    );
  }
  await putBinary(keys.uploadPart(projectId, uploadId, n), body, {
    uploadId,
    n,
    bytes: body.byteLength,
    createdAt: new Date().toISOString(),
  });
  return { n, bytes: body.byteLength };
}

/** Parts stored, by strongly consistent reads of each part's metadata (a listing may not show a part just written). */
async function presentParts(projectId: Id, uploadId: Id, partCount: number): Promise<Set<number>> {
  const numbers = Array.from({ length: partCount }, (_, n) => n);
  const found = await Promise.all(numbers.map((n) => getMetadata(keys.uploadPart(projectId, uploadId, n))));
  return new Set(numbers.filter((n) => found[n] !== null));
}

async function removeUpload(projectId: Id, uploadId: Id, partCount: number, keepSession: boolean): Promise<void> {
  await Promise.all(
    Array.from({ length: partCount }, (_, n) => deleteKey('media', keys.uploadPart(projectId, uploadId, n).key)),
  );
  if (!keepSession) await deleteKey('media', keys.uploadSession(projectId, uploadId).key);
}

/**
 * Assembles the parts, checks the total size and the client's SHA-256, then
 * stores the photo like a direct upload and removes the parts. A photo that
 * turns out unusable (415/422) ends the upload; a checksum mismatch keeps the
 * parts so the wrong ones can be sent again.
 */
export async function completeUpload(projectId: Id, uploadId: Id): Promise<{ media: Media; created: boolean }> {
  const session = await requireSession(projectId, uploadId);
  if (session.mediaId) return { media: await requireMedia(projectId, session.mediaId), created: false };

  const present = await presentParts(projectId, uploadId, session.partCount);
  const missing = Array.from({ length: session.partCount }, (_, n) => n).filter((n) => !present.has(n));
  if (missing.length > 0) {
    throw new AppError(
      409,
      'upload_incomplete',
      `Upload ${uploadId} is missing ${missing.length} of ${session.partCount} parts.`,
      {
        details: { missing: missing.slice(0, 100) },
      },
    );
  }
  const parts = await Promise.all(
    Array.from({ length: session.partCount }, (_, n) => getBinary(keys.uploadPart(projectId, uploadId, n))),
  );
  const assembled = new Uint8Array(session.bytes);
  const hash = createHash('sha256');
  let offset = 0;
  for (const [n, part] of parts.entries()) {
    if (!part || part.data.byteLength !== expectedPartBytes(session, n)) {
      throw new AppError(
        409,
        'upload_incomplete',
        `Part ${n} of upload ${uploadId} is missing or has the wrong size; send it again.`,
        {
          details: { missing: [n] },
        },
      );
    }
    assembled.set(part.data, offset);
    hash.update(part.data);
    offset += part.data.byteLength;
  }
  const digest = hash.digest('hex');
  if (session.sha256 && digest !== session.sha256) {
    throw new AppError(
      422,
      'checksum_mismatch',
      `The assembled photo's SHA-256 is ${digest}, not ${session.sha256}; send the parts again.`,
    );
  }

  let photo;
  try {
    photo = await examinePhoto(assembled, session.filename);
  } catch (error) {
    if (error instanceof AppError && [413, 415, 422].includes(error.status))
      await removeUpload(projectId, uploadId, session.partCount, false);
    throw error;
  }
  const stored = await storePhoto(projectId, photo);
  await updateJSON(keys.uploadSession(projectId, uploadId), uploadSessionDoc, (current) =>
    current ? { ...current, mediaId: stored.media.mediaId } : UNCHANGED,
  );
  await removeUpload(projectId, uploadId, session.partCount, true);
  return stored;
}
