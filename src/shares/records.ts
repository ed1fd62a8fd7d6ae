import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.js';
import { ID_CHARS } from '../schemas/common.js';
import { SHARE_DEFAULT_SEC, shareRecordSchema, type ShareRecord } from '../schemas/share.js';
import {
  defineDocument,
  deleteBlob,
  isId,
  keys,
  listKeyPages,
  parseId,
  readJSON,
  writeJSON,
  type Id,
} from '../storage/index.js';

/** `expiresAt` rides in the blob's metadata, so retention can expire a share without reading it. */
export const shareDoc = defineDocument({
  name: 'share',
  version: 1,
  schema: shareRecordSchema,
  metaOf: (record) => ({ expiresAt: record.expiresAt }),
});
const markerDoc = defineDocument({
  name: 'share-marker',
  version: 1,
  schema: shareRecordSchema.pick({ shareId: true, expiresAt: true }),
  metaOf: (marker) => ({
    expiresAt: marker.expiresAt,
  }),
});

const MARKER_KEY = new RegExp(`^run-shares/(${ID_CHARS})/(${ID_CHARS})/(${ID_CHARS})\\.json$`);

/** The share a run's marker key stands for; null for any other key. */
export function shareOfMarker(key: string): { projectId: Id; runId: Id; shareId: Id } | null {
  const [, projectId, runId, shareId] = MARKER_KEY.exec(key) ?? [];
  return isId(projectId) && isId(runId) && isId(shareId) ? { projectId, runId, shareId } : null;
}

/** 128 random bits as base64url: 22 characters, unguessable, and a valid id. */
export const newShareId = (): Id => parseId(randomBytes(16).toString('base64url'));

/** One answer for a share that never was, has expired or was revoked: a share tells nothing of why. */
export const shareNotFound = () =>
  new AppError(404, 'share_not_found', 'This share link does not exist, has expired or was revoked.');

export interface CreateShareInput {
  projectId: Id;
  runId: Id;
  expiresInSec?: number | undefined;
  now?: Date;
}

/**
 * Stores a share of a run's video. The run's marker is written first, so any
 * share that exists has a marker: retention expires shares by walking the
 * markers, which also removes a marker whose share is gone (a create or revoke
 * cut short); listings skip such a marker.
 */
export async function createShare({
  projectId,
  runId,
  expiresInSec = SHARE_DEFAULT_SEC,
  now = new Date(),
}: CreateShareInput): Promise<ShareRecord> {
  const shareId = newShareId();
  const record: ShareRecord = {
    shareId,
    projectId,
    runId,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + expiresInSec * 1000).toISOString(),
  };
  await writeJSON(
    keys.runShare(projectId, runId, shareId),
    markerDoc,
    { shareId, expiresAt: record.expiresAt },
    { onlyIfNew: true },
  );
  // 128 random bits do not collide; onlyIfNew makes sure no existing share is ever replaced.
  if (!(await writeJSON(keys.share(shareId), shareDoc, record, { onlyIfNew: true })))
    throw new AppError(503, 'share_id_taken', 'A new share id was already taken; try again.', { retryable: true });
  return record;
}

export const isExpired = (record: Pick<ShareRecord, 'expiresAt'>, now = Date.now()) =>
  Date.parse(record.expiresAt) <= now;

/** A share that works now (strongly consistent: a revoke or expiry shows at once); 404 otherwise. */
export async function readLiveShare(shareId: Id, now = Date.now()): Promise<ShareRecord> {
  const record = (await readJSON(keys.share(shareId), shareDoc))?.value;
  if (!record || isExpired(record, now)) throw shareNotFound();
  return record;
}

/** Revokes a share of this run: its record goes, so every link to it answers 404 from now on. */
export async function revokeShare(projectId: Id, runId: Id, shareId: Id): Promise<void> {
  const record = (await readJSON(keys.share(shareId), shareDoc))?.value;
  // A share of another project or run is not this run's to revoke, and is not said to exist.
  if (!record || record.projectId !== projectId || record.runId !== runId) throw shareNotFound();
  await deleteShare(record);
}

/** Removes a share and then its run's marker (retention and revoke). */
export async function deleteShare(record: Pick<ShareRecord, 'shareId' | 'projectId' | 'runId'>): Promise<void> {
  await deleteBlob(keys.share(record.shareId));
  await deleteBlob(keys.runShare(record.projectId, record.runId, record.shareId));
}

/** A run's shares that work now, oldest first. */
export async function listRunShares(projectId: Id, runId: Id, now = Date.now()): Promise<ShareRecord[]> {
  const prefix = keys.runSharesPrefix(projectId, runId);
  const ids: Id[] = [];
  for await (const page of listKeyPages('runs', prefix))
    ids.push(...page.map((key) => key.slice(prefix.length).replace(/\.json$/, '')).filter(isId));
  const records = await Promise.all(
    ids.map(async (shareId) => (await readJSON(keys.share(shareId), shareDoc))?.value ?? null),
  );
  return records
    .filter(
      (record): record is ShareRecord =>
        record !== null && record.projectId === projectId && record.runId === runId && !isExpired(record, now),
    )
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}
