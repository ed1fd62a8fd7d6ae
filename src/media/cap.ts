import { z } from 'zod';
import { AppError } from '../errors.js';
import { errorFields, log } from '../log.js';
import { UNCHANGED, defineDocument, keys, listKeyPages, updateJSON, type Id } from '../storage/index.js';

/**
 * The per-project photo cap under concurrent uploads. Counting the stored
 * photos and then writing lets every request that counted at the same moment
 * through. Instead each new photo first reserves a slot in a small document
 * (compare-and-swap): the count is the stored photos plus the reservations not
 * yet stored, taken inside the swap, so two uploads racing for the last slot
 * cannot both get it. A reservation is released once its photo is stored (or
 * refused), and one left by a crash lapses after RESERVATION_TTL_MS.
 */
const reservationsSchema = z.object({ entries: z.array(z.object({ mediaId: z.string(), at: z.number() })).max(10_000) });
const reservationsDoc = defineDocument('media-reservations', 1, reservationsSchema);

const RESERVATION_TTL_MS = 5 * 60 * 1000;

async function storedIds(projectId: Id): Promise<Set<string>> {
  const prefix = keys.mediaPrefix(projectId);
  const ids = new Set<string>();
  for await (const page of listKeyPages('media', prefix)) for (const key of page) ids.add(key.slice(prefix.length));
  return ids;
}

export class MediaLimitError extends AppError {
  constructor(limit: number) {
    super(409, 'media_limit_reached', `This project already holds ${limit} photos, the most allowed; delete some first.`, { details: { limit } });
    this.name = 'MediaLimitError';
  }
}

/** Reserves a slot for `mediaId`, or throws MediaLimitError (409) when the project is full. */
export async function reservePhotoSlot(projectId: Id, mediaId: Id, limit: number): Promise<void> {
  await updateJSON(keys.mediaReservations(projectId), reservationsDoc, async (current) => {
    const now = Date.now();
    const live = (current?.entries ?? []).filter((entry) => now - entry.at < RESERVATION_TTL_MS && entry.mediaId !== mediaId);
    const stored = await storedIds(projectId);
    const taken = new Set([...stored, ...live.map((entry) => entry.mediaId)]);
    if (!taken.has(mediaId) && taken.size >= limit) throw new MediaLimitError(limit);
    return { entries: [...live, { mediaId, at: now }] };
  });
}

/** Releases a reservation; a failure only leaves it to lapse. */
export async function releasePhotoSlot(projectId: Id, mediaId: Id): Promise<void> {
  await updateJSON(keys.mediaReservations(projectId), reservationsDoc, (current) => {
    if (!current?.entries.some((entry) => entry.mediaId === mediaId)) return UNCHANGED;
    return { entries: current.entries.filter((entry) => entry.mediaId !== mediaId) };
  }).catch((error) => log.warn('photo slot not released; it lapses on its own', errorFields(error)));
}
