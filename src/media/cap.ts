import { z } from 'zod';
import { AppError } from '../errors.js';
import { errorFields, log } from '../log.js';
import {
  UNCHANGED,
  defineDocument,
  getMetadata,
  keys,
  listKeyPages,
  readJSON,
  updateConfirmed,
  updateJSON,
  type Id,
} from '../storage/index.js';

/**
 * The per-project photo cap, as a compare-and-swap document
 * (`sirtrav-media/projects/{p}/media_slots.json`) of the photo ids it counts:
 * `stored` ones, and `reserved` ones being stored now. An upload reserves its id
 * in the swap that checks the count, so concurrent uploads cannot all see room;
 * the same bytes again are the same id and count once. After the write the id
 * moves to `stored`; a failed upload drops its reservation. A delete drops the
 * id once its blob is gone.
 *
 * Nothing a crash leaves behind can fill the project for good: a reservation
 * older than RESERVATION_TTL_MS is resolved by whether its blob exists; and a
 * project found full has its stored ids checked against the store (at most
 * every VERIFY_EVERY_MS), dropping those whose blob is gone. An id is only
 * ever dropped after a strongly consistent read found no blob, inside the swap.
 * A project without the document (older than it, or imported without it) is
 * counted once from a listing.
 */
const slotsSchema = z.object({
  stored: z.array(z.string()).max(200_000),
  reserved: z.array(z.object({ mediaId: z.string(), at: z.number() })).max(10_000),
  verifiedAt: z.number(),
});
type Slots = z.infer<typeof slotsSchema>;
const slotsDoc = defineDocument({ name: 'media-slots', version: 1, schema: slotsSchema });

const RESERVATION_TTL_MS = 5 * 60 * 1000;
const VERIFY_EVERY_MS = 10 * 60 * 1000;

export class MediaLimitError extends AppError {
  constructor(limit: number) {
    super(
      409,
      'media_limit_reached',
      `This project already holds ${limit} photos, the most allowed; delete some first.`,
      { details: { limit } },
    );
    this.name = 'MediaLimitError';
  }
}

/** Thrown inside a reservation that found the project full while a check of its stored ids is due. */
class VerificationDue extends Error {}

async function blobExists(projectId: Id, mediaId: string): Promise<boolean> {
  return (await getMetadata(keys.media(projectId, mediaId as Id))) !== null;
}

/** Of `ids`, those with no blob, 16 reads at a time. */
async function goneOf(projectId: Id, ids: string[]): Promise<Set<string>> {
  const gone = new Set<string>();
  for (let i = 0; i < ids.length; i += 16) {
    const batch = ids.slice(i, i + 16);
    const exists = await Promise.all(batch.map((id) => blobExists(projectId, id)));
    batch.forEach((id, n) => exists[n] || gone.add(id));
  }
  return gone;
}

async function seeded(projectId: Id): Promise<Slots> {
  const prefix = keys.mediaPrefix(projectId);
  const stored: string[] = [];
  for await (const page of listKeyPages('media', prefix)) stored.push(...page.map((key) => key.slice(prefix.length)));
  return { stored, reserved: [], verifiedAt: 0 };
}

/** Reservations that lapsed (their upload died) become stored ids if their blob exists, and go if not. */
async function resolveLapsed(projectId: Id, slots: Slots, now: number): Promise<Slots> {
  const lapsed = slots.reserved.filter((entry) => now - entry.at >= RESERVATION_TTL_MS).map((entry) => entry.mediaId);
  if (lapsed.length === 0) return slots;
  const gone = await goneOf(projectId, lapsed);
  const kept = new Set(lapsed.filter((id) => !gone.has(id)));
  return {
    ...slots,
    stored: [...new Set([...slots.stored, ...kept])],
    reserved: slots.reserved.filter((entry) => now - entry.at < RESERVATION_TTL_MS),
  };
}

const counted = (slots: Slots) => new Set([...slots.stored, ...slots.reserved.map((entry) => entry.mediaId)]);
const counts = (mediaId: string) => (slots: Slots | null) => Boolean(slots && counted(slots).has(mediaId));

function reserve(projectId: Id, mediaId: Id, limit: number, verified: boolean) {
  return updateConfirmed({
    ref: keys.mediaSlots(projectId),
    type: slotsDoc,
    holds: counts(mediaId),
    update: async (current) => {
      const now = Date.now();
      const slots = await resolveLapsed(projectId, current ?? (await seeded(projectId)), now);
      if (!counted(slots).has(mediaId) && counted(slots).size >= limit) {
        if (!verified && now - slots.verifiedAt >= VERIFY_EVERY_MS) throw new VerificationDue();
        throw new MediaLimitError(limit);
      }
      // A fresh reservation even for a counted id: a check of stored ids leaves a photo being uploaded alone.
      return {
        ...slots,
        reserved: [...slots.reserved.filter((entry) => entry.mediaId !== mediaId), { mediaId, at: now }],
      };
    },
  });
}

/** Reserves a slot for `mediaId`, or throws MediaLimitError (409) when the project is full. */
export async function reservePhotoSlot(projectId: Id, mediaId: Id, limit: number): Promise<void> {
  try {
    await reserve(projectId, mediaId, limit, false);
  } catch (error) {
    if (!(error instanceof VerificationDue)) throw error;
    await verifyStoredPhotos(projectId);
    await reserve(projectId, mediaId, limit, true);
  }
}

/** The photo is stored: its id counts as stored from now on. */
export async function confirmPhotoSlot(projectId: Id, mediaId: Id): Promise<void> {
  await updateConfirmed({
    ref: keys.mediaSlots(projectId),
    type: slotsDoc,
    holds: (slots) => Boolean(slots?.stored.includes(mediaId)),
    update: (current) => {
      const slots = current ?? { stored: [], reserved: [], verifiedAt: 0 };
      return {
        ...slots,
        stored: slots.stored.includes(mediaId) ? slots.stored : [...slots.stored, mediaId],
        reserved: slots.reserved.filter((entry) => entry.mediaId !== mediaId),
      };
    },
  });
}

/** Drops a reservation whose upload failed; a failure here only leaves it to lapse. */
export async function releasePhotoSlot(projectId: Id, mediaId: Id): Promise<void> {
  await updateConfirmed({
    ref: keys.mediaSlots(projectId),
    type: slotsDoc,
    holds: (slots) => !slots?.reserved.some((entry) => entry.mediaId === mediaId),
    update: (current) => {
      if (!current?.reserved.some((entry) => entry.mediaId === mediaId)) return UNCHANGED;
      return { ...current, reserved: current.reserved.filter((entry) => entry.mediaId !== mediaId) };
    },
  }).catch((error) => log.warn('photo slot not released; it lapses on its own', errorFields(error)));
}

/**
 * Stops counting the photos among `mediaIds` whose blob is gone (after a delete,
 * or retention's). The blobs are read again inside the swap, so a photo
 * uploaded again meanwhile keeps its count.
 */
export async function forgetPhotos(
  projectId: Id,
  mediaIds: string[],
  options: { verifiedAt?: number } = {},
): Promise<void> {
  // Not confirmed by a read-back: an id left counted by a lost race is dropped by the next check of stored ids.
  await updateJSON(keys.mediaSlots(projectId), slotsDoc, async (current) => {
    if (!current) return UNCHANGED;
    const stored = new Set(current.stored);
    const uploading = new Set(current.reserved.map((entry) => entry.mediaId));
    const gone = await goneOf(
      projectId,
      mediaIds.filter((id) => stored.has(id) && !uploading.has(id)),
    );
    if (gone.size === 0 && options.verifiedAt === undefined) return UNCHANGED;
    return {
      ...current,
      stored: current.stored.filter((id) => !gone.has(id)),
      verifiedAt: options.verifiedAt ?? current.verifiedAt,
    };
  });
}

/** Checks every stored id against the store and drops those whose blob is gone. */
async function verifyStoredPhotos(projectId: Id): Promise<void> {
  const now = Date.now();
  const slots = (await readJSON(keys.mediaSlots(projectId), slotsDoc))?.value;
  if (!slots) return;
  const gone = await goneOf(projectId, slots.stored);
  if (gone.size > 0)
    log.warn('photos counted against the cap but no longer stored; dropped', { projectId, count: gone.size });
  await forgetPhotos(projectId, [...gone], { verifiedAt: now });
}

/** The ids the cap counts, for tests and operations. */
export async function countedPhotos(projectId: Id): Promise<string[]> {
  const slots = (await readJSON(keys.mediaSlots(projectId), slotsDoc))?.value;
  return slots ? [...counted(slots)] : [];
}
