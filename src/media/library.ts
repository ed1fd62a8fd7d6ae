import { createHash } from 'node:crypto';
import { getConfig } from '../config.js';
import { AppError } from '../errors.js';
import { errorFields, log } from '../log.js';
import { MAX_PHOTO_BYTES, mediaSchema, type Media, type PhotoAnalysis } from '../schemas/media.js';
import {
  deleteBlob,
  getBinary,
  getMetadata,
  isId,
  keys,
  listEtags,
  listKeyPages,
  parseId,
  putBinary,
  type Id,
} from '../storage/index.js';
import { analysePhoto, isCurrent } from './analyse.js';
import { cachedMediaBytes, cacheMediaBytes, forgetMediaBytes } from './bytes-cache.js';
import { confirmPhotoSlot, forgetPhotos, releasePhotoSlot, reservePhotoSlot } from './cap.js';
import { inspectClip, sniffClipType, type ClipFacts } from './clip.js';
import { inspectImage, type ImageFacts } from './inspect.js';

/**
 * Live Photos in one request: each clip becomes the motion of the still with the same Apple content identifier, or
 * else of the still whose file name, less its extension, is the clip's (IMG_0042.HEIC and IMG_0042.MOV, as the
 * Photos app exports them); the rest stay as they are. (A still and its movie uploaded apart are joined by their
 * content identifier when listed: see listMedia.)
 */
export function pairLivePhotos(items: Photo[]): Photo[] {
  const base = (name: string) => name.replace(/\.[^.]*$/, '').toLowerCase();
  const stills = items.filter((item) => !isClip(item));
  const byContent = new Map(stills.flatMap((item) => (item.facts.contentId ? [[item.facts.contentId, item]] : [])));
  const byName = new Map(stills.map((item) => [base(item.filename), item]));
  const motions = new Set<Photo>();
  const pair = (clip: Photo, still: Photo | undefined) => {
    if (!still || still.live || motions.has(clip)) return;
    // Two different Live Photos that happen to share a name are not one.
    if (clip.facts.contentId && still.facts.contentId && clip.facts.contentId !== still.facts.contentId) return;
    still.live = clip;
    motions.add(clip);
  };
  // The identifier first, so that a movie merely named like a still does not take its place.
  for (const clip of items.filter(isClip))
    pair(clip, clip.facts.contentId ? byContent.get(clip.facts.contentId) : undefined);
  for (const clip of items.filter(isClip)) pair(clip, byName.get(base(clip.filename)));
  return items.filter((item) => !motions.has(item));
}

const isClip = (item: Photo) => 'durationSec' in item.facts;

/** The same bytes always get the same id: base64url of their SHA-256. */
export function mediaIdFor(bytes: Uint8Array): { mediaId: Id; sha256: string } {
  const digest = createHash('sha256').update(bytes).digest();
  return { mediaId: parseId(digest.toString('base64url')), sha256: digest.toString('hex') };
}

/** A file name fit to show and to store in metadata: no path, no control characters, bounded. */
export function sanitizeFilename(name: string | null | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 120);
  return clean || 'photo';
}

export interface Photo {
  bytes: Uint8Array;
  filename: string;
  facts: ImageFacts | ClipFacts;
  /** A Live Photo's motion, uploaded with it (same base file name). */
  live?: Photo;
  /** Null for a clip, and when the photo decodes but cannot be measured: the director tries again when it plans a run. */
  analysis: PhotoAnalysis | null;
}

/**
 * Checks one photo fully (type, size, decode, EXIF) and measures what the
 * director needs of its pixels (sharpness, exposure, subject, perceptual
 * hash), without storing anything: every run then plans from what is stored.
 */
export async function examinePhoto(bytes: Uint8Array, filename: string | null | undefined): Promise<Photo> {
  if (bytes.byteLength === 0) throw new AppError(400, 'empty_body', 'The photo is empty: send the image bytes.');
  const clipType = await sniffClipType(bytes);
  if (clipType)
    return { bytes, filename: sanitizeFilename(filename), facts: await inspectClip(bytes, clipType), analysis: null };
  if (bytes.byteLength > MAX_PHOTO_BYTES)
    throw new AppError(413, 'payload_too_large', `A photo may be at most ${MAX_PHOTO_BYTES} bytes.`);
  const facts = await inspectImage(bytes);
  const analysis = await analysePhoto(facts, bytes).catch((error: unknown) => {
    log.warn('photo not analysed; the director analyses it when a run needs it', errorFields(error));
    return null;
  });
  return { bytes, filename: sanitizeFilename(filename), facts, analysis };
}

function parseMedia(metadata: Record<string, unknown> | null): Media | null {
  const parsed = mediaSchema.safeParse(metadata);
  return parsed.success ? parsed.data : null;
}

/** Whether the project has any photo: one listing page, no metadata reads. */
export async function hasMedia(projectId: Id): Promise<boolean> {
  for await (const page of listKeyPages('media', keys.mediaPrefix(projectId))) if (page.length > 0) return true;
  return false;
}

/**
 * Stores an examined photo at its content address. Uploading the same bytes
 * again returns the stored photo and writes nothing.
 */
export async function storePhoto(
  projectId: Id,
  photo: Photo,
  liveOf?: Id,
): Promise<{ media: Media; created: boolean }> {
  const { mediaId, sha256 } = mediaIdFor(photo.bytes);
  // A Live Photo's motion is stored first, as a clip that names its photo: the photo then points to a stored clip.
  const live = photo.live ? (await storePhoto(projectId, photo.live, mediaId)).media : null;
  const ref = keys.media(projectId, mediaId);
  const existing = parseMedia(await getMetadata(ref));
  if (existing) return { media: existing, created: false };

  await reservePhotoSlot(projectId, mediaId, getConfig().SIRTRAV_MAX_PHOTOS);
  let stored;
  try {
    stored = await writePhoto(projectId, mediaId, sha256, {
      ...photo,
      extra: {
        ...(live ? { liveClip: { mediaId: live.mediaId, durationSec: live.durationSec ?? 0.1 } } : {}),
        ...(liveOf ? { liveOf } : {}),
      },
    });
  } catch (error) {
    await releasePhotoSlot(projectId, mediaId);
    throw error;
  }
  // Stored, by this request or a racing one with the same bytes: the id counts either way.
  await confirmPhotoSlot(projectId, mediaId);
  return stored;
}

async function writePhoto(
  projectId: Id,
  mediaId: Id,
  sha256: string,
  photo: Photo & { extra: Pick<Media, 'liveClip' | 'liveOf'> },
): Promise<{ media: Media; created: boolean }> {
  const ref = keys.media(projectId, mediaId);
  const now = new Date().toISOString();
  const clip = 'durationSec' in photo.facts ? { kind: 'clip' as const, durationSec: photo.facts.durationSec } : null;
  const media: Media = {
    mediaId,
    kind: clip ? 'clip' : 'photo',
    contentType: photo.facts.contentType,
    bytes: photo.bytes.byteLength,
    sha256,
    width: photo.facts.width,
    height: photo.facts.height,
    takenAt: photo.facts.takenAt,
    filename: photo.filename,
    gps: photo.facts.gps,
    camera: photo.facts.camera,
    orientation: photo.facts.orientation ?? 1,
    ...(photo.facts.contentId ? { contentId: photo.facts.contentId } : {}),
    uploadedAt: now,
    ...(photo.analysis ? { analysis: photo.analysis } : {}),
    ...(clip ? { durationSec: clip.durationSec } : {}),
    ...photo.extra,
  };
  const written = await putBinary(ref, photo.bytes, fitMetadata({ ...media, createdAt: now }), { onlyIfNew: true });
  if (!written) {
    // Another request stored the same bytes first.
    const winner = parseMedia(await getMetadata(ref));
    if (winner) return { media: winner, created: false };
  }
  return { media, created: true };
}

/** Netlify's cap on a blob's metadata: the JSON, base64-encoded, behind its header name and a `b64;` prefix. */
const METADATA_LIMIT = 2048 - 'netlify-blobs-metadata'.length - 'b64;'.length;
const encodedSize = (metadata: object) => Math.ceil(Buffer.byteLength(JSON.stringify(metadata)) / 3) * 4;

/**
 * A photo's metadata within the cap: a long name in a wide script and many faces could pass it, and the store would
 * refuse the photo. The faces listed go first, smallest first (the focus already holds every head), then the name
 * is shortened. The schema's own bounds keep the rest far below the cap.
 */
export function fitMetadata<T extends Media & { createdAt: string }>(metadata: T): T {
  let fitted = metadata;
  while (encodedSize(fitted) > METADATA_LIMIT && (fitted.analysis?.faces?.length ?? 0) > 0)
    fitted = { ...fitted, analysis: { ...fitted.analysis!, faces: fitted.analysis!.faces!.slice(0, -1) } };
  const dot = metadata.filename.lastIndexOf('.');
  const extension = dot > 0 && metadata.filename.length - dot <= 8 ? metadata.filename.slice(dot) : '';
  let stem = [...metadata.filename.slice(0, metadata.filename.length - extension.length)];
  while (encodedSize(fitted) > METADATA_LIMIT && stem.length > 8) {
    stem = stem.slice(0, -4);
    fitted = { ...fitted, filename: `${stem.join('')}…${extension}` };
  }
  return fitted;
}

/**
 * Stores the analysis of a photo measured again at run time (its stored one predates what the director now reads),
 * so that the next run need not measure it again. It is written only over the blob as listed: a photo deleted or
 * stored again since is left as it is, never brought back. (Production's conditional writes are atomic; the local
 * server's are not, so there a delete in the same few milliseconds could still lose to this write.)
 */
export async function saveAnalysis(projectId: Id, mediaId: Id, analysis: PhotoAnalysis): Promise<boolean> {
  const ref = keys.media(projectId, mediaId);
  const etag = (await listEtags('media', ref.key)).get(ref.key);
  const metadata = etag ? await getMetadata(ref) : null;
  const media = parseMedia(metadata);
  if (!etag || !metadata || !media || media.kind === 'clip' || isCurrent(media.analysis)) return false;
  const { bytes } = await readMediaBytes(projectId, mediaId);
  const saved = await putBinary(ref, bytes, fitMetadata({ ...(metadata as Media & { createdAt: string }), analysis }), {
    onlyIfMatch: etag,
  });
  if (saved) log.info('stored a photo analysis measured again', { projectId, mediaId });
  return saved;
}

const mediaNotFound = (projectId: Id, mediaId: Id) =>
  new AppError(404, 'media_not_found', `Photo ${mediaId} does not exist in project ${projectId}.`);

export async function getMedia(projectId: Id, mediaId: Id): Promise<Media | null> {
  return parseMedia(await getMetadata(keys.media(projectId, mediaId)));
}

export async function requireMedia(projectId: Id, mediaId: Id): Promise<Media> {
  const media = await getMedia(projectId, mediaId);
  if (!media) throw mediaNotFound(projectId, mediaId);
  return media;
}

/** A photo's bytes: from the warm function's cache when it has them (the photo's metadata is still read, so a deleted photo stays deleted). */
export async function readMediaBytes(
  projectId: Id,
  mediaId: Id,
): Promise<{ media: Media; bytes: Uint8Array<ArrayBuffer> }> {
  const cached = cachedMediaBytes(projectId, mediaId);
  if (cached) {
    const media = await getMedia(projectId, mediaId);
    if (media && media.bytes === cached.byteLength) return { media, bytes: cached };
    forgetMediaBytes(projectId, mediaId);
    if (!media) throw mediaNotFound(projectId, mediaId);
  }
  const stored = await getBinary(keys.media(projectId, mediaId));
  const media = parseMedia(stored?.metadata ?? null);
  if (!stored || !media) throw mediaNotFound(projectId, mediaId);
  cacheMediaBytes(projectId, mediaId, stored.data);
  return { media, bytes: stored.data };
}

/** The project's photos, oldest upload first, from blob metadata only (no photo is downloaded). */
export async function listMedia(projectId: Id): Promise<Media[]> {
  return joinLivePhotos(await listStored(projectId));
}

/** Every listed item as stored: photos and clips, less the motions stored with their photo. */
async function listStored(projectId: Id): Promise<Media[]> {
  const prefix = keys.mediaPrefix(projectId);
  const media: Media[] = [];
  for await (const page of listKeyPages('media', prefix)) {
    const ids = page.map((key) => key.slice(prefix.length)).filter(isId);
    for (let i = 0; i < ids.length; i += 16) {
      const batch = await Promise.all(
        ids.slice(i, i + 16).map(async (id) => [id, await getMedia(projectId, id)] as const),
      );
      for (const [id, item] of batch) {
        // A Live Photo's motion is listed through its photo.
        if (item) {
          if (!item.liveOf) media.push(item);
        } else log.warn('photo has unreadable metadata; left out of the list', { projectId, mediaId: id });
      }
    }
  }
  return media.sort((a, b) => a.uploadedAt.localeCompare(b.uploadedAt) || a.mediaId.localeCompare(b.mediaId));
}

/**
 * A still and a clip uploaded apart, with the same Apple content identifier, are one Live Photo: the clip is listed
 * as the photo's motion (`liveClip`), not on its own. Nothing is rewritten: each stays the blob it was stored as.
 */
export function joinLivePhotos(media: Media[]): Media[] {
  const motions = new Map<string, Media>();
  for (const item of media)
    if (item.kind === 'clip' && item.contentId && item.durationSec && !motions.has(item.contentId))
      motions.set(item.contentId, item);
  const joined = new Set<string>();
  const stills = media.map((item) => {
    const motion = item.kind === 'photo' && !item.liveClip && item.contentId ? motions.get(item.contentId) : undefined;
    if (!motion || joined.has(motion.mediaId)) return item;
    joined.add(motion.mediaId);
    return { ...item, liveClip: { mediaId: motion.mediaId, durationSec: motion.durationSec! } };
  });
  return stills.filter((item) => !joined.has(item.mediaId));
}

export async function deleteMedia(projectId: Id, mediaId: Id): Promise<void> {
  const media = await requireMedia(projectId, mediaId);
  if (media.liveOf)
    throw new AppError(
      409,
      'live_photo_motion',
      `Clip ${mediaId} is the motion of Live Photo ${media.liveOf}: delete the photo.`,
    );
  forgetMediaBytes(projectId, mediaId);
  await deleteBlob(keys.media(projectId, mediaId));
  await forgetPhotos(projectId, [mediaId]);
  // A Live Photo goes with its motion, stored with it or joined to it by its content identifier.
  const motion = media.liveClip?.mediaId ?? (await joinedMotion(projectId, media));
  if (motion && (await getMedia(projectId, motion))) {
    forgetMediaBytes(projectId, motion);
    await deleteBlob(keys.media(projectId, motion));
    await forgetPhotos(projectId, [motion]);
  }
}

/** The clip a still uploaded on its own is joined to (see joinLivePhotos), if any. */
async function joinedMotion(projectId: Id, media: Media): Promise<Id | undefined> {
  if (media.kind !== 'photo' || !media.contentId) return undefined;
  const listed = joinLivePhotos([media, ...(await listStored(projectId)).filter((item) => item.kind === 'clip')]);
  return listed.find((item) => item.mediaId === media.mediaId)?.liveClip?.mediaId;
}
