import { createRequire } from 'node:module';
import type { Media, PhotoAnalysis } from '../schemas/media.js';
import { photoImage, toSrgb } from '../render/picture/decode.js';
import { loadSharp } from '../render/picture/native.js';
import { detectFaces, headsRegion } from './faces.js';
import { peakSharpness } from './sharpness.js';

// A CommonJS module whose typings declare an ES default export: loaded as it is written, on first use (it loads sharp).
const phash = (...args: Parameters<typeof import('sharp-phash').default>) =>
  (createRequire(import.meta.url)('sharp-phash') as typeof import('sharp-phash').default)(...args);

/** What the director learns from a photo's pixels (see PhotoAnalysis), with the photo's id. */
export interface PhotoFacts extends PhotoAnalysis {
  mediaId: string;
}

/** Long side the facts are measured at (smaller photos as they are): sharpness is only comparable at one scale. */
const SAMPLE_SIDE = 512;
/** The salient region's side, as a share of the photo's short side. */
const FOCUS_SHARE = 0.3;

function laplacianVariance(gray: Float32Array, width: number, height: number): number {
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const value = gray[i - width]! + gray[i + width]! + gray[i - 1]! + gray[i + 1]! - 4 * gray[i]!;
      sum += value;
      sumSq += value * value;
      count++;
    }
  }
  const mean = sum / count;
  return sumSq / count - mean * mean;
}

function exposureScore(gray: Float32Array): number {
  let sum = 0;
  let clipped = 0;
  for (const value of gray) {
    sum += value;
    if (value <= 3 || value >= 252) clipped++;
  }
  const mean = sum / gray.length / 255;
  return Math.max(0, 1 - Math.abs(mean - 0.45) * 1.6 - (clipped / gray.length) * 2);
}

/** The most salient region, by sharp's attention strategy (edges, skin tones, saturation). */
async function focalPoint(rgb: Buffer, width: number, height: number): Promise<PhotoAnalysis['focus']> {
  const side = 256;
  const sharp = await loadSharp();
  const { info } = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .resize(side, side, { fit: 'cover', position: sharp.strategy.attention })
    .toBuffer({ resolveWithObject: true });
  // attentionX/Y are in the image scaled to cover side×side, before the crop.
  const scale = side / Math.min(width, height);
  const cx = (info.attentionX ?? (width * scale) / 2) / (width * scale);
  const cy = (info.attentionY ?? (height * scale) / 2) / (height * scale);
  const short = Math.min(width, height) * FOCUS_SHARE;
  const w = short / width;
  const h = short / height;
  const clamp = (value: number, size: number) => Math.min(1 - size, Math.max(0, value - size / 2));
  return { x: round4(clamp(cx, w)), y: round4(clamp(cy, h)), width: round4(w), height: round4(h) };
}

/**
 * Decodes the photo once, small, and measures it: done when a photo is
 * uploaded, and kept with it. Throws when the photo cannot be decoded.
 */
export async function analysePhoto(photo: Pick<Media, 'contentType'>, bytes: Uint8Array): Promise<PhotoAnalysis> {
  const image = toSrgb(await photoImage(photo, bytes));
  const faces = await facesOf(image.clone());
  const { data: rgb, info } = await image
    .resize(SAMPLE_SIDE, SAMPLE_SIDE, { fit: 'inside', withoutEnlargement: true })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const gray = new Float32Array(info.width * info.height);
  for (let i = 0; i < gray.length; i++)
    gray[i] = 0.2126 * rgb[i * 3]! + 0.7152 * rgb[i * 3 + 1]! + 0.0722 * rgb[i * 3 + 2]!;
  return {
    hash: await phash(Buffer.from(Uint8Array.from(gray, Math.round)), {
      raw: { width: info.width, height: info.height, channels: 1 },
    }),
    sharpness: laplacianVariance(gray, info.width, info.height),
    peakSharpness: peakSharpness(gray, info.width, info.height),
    exposure: exposureScore(gray),
    // Faces first: a crop that keeps the heads whole keeps what matters; else where the eye goes.
    focus: headsRegion(faces) ?? (await focalPoint(rgb, info.width, info.height)),
    // The focus holds every head; the faces kept are the largest, as many as a photo's metadata has room for.
    faces: faces.slice(0, MAX_FACES_KEPT),
  };
}

const round4 = (value: number) => Math.round(value * 10_000) / 10_000;

/** Faces listed in an analysis, largest first: each takes 55 bytes of the photo's 2 KB of metadata. */
export const MAX_FACES_KEPT = 8;

/** The side faces are looked for at, on the photo's short side: a face of about 25 px there is found. */
const FACE_SIDE = 512;

/** The faces of a decoded photo, read at FACE_SIDE on its short side (in square tiles: see detectFaces). */
async function facesOf(image: ReturnType<typeof toSrgb>): Promise<PhotoAnalysis['focus'][]> {
  const { width = 0, height = 0 } = await image.metadata();
  const portrait = height > width;
  const { data, info } = await image
    .resize(portrait ? FACE_SIDE : null, portrait ? null : FACE_SIDE, { withoutEnlargement: true })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return detectFaces(data, info.width, info.height);
}

/** An analysis made before the sharpest part was measured, or before faces were looked for, is measured again. */
export const isCurrent = (analysis: PhotoAnalysis | undefined): analysis is PhotoAnalysis =>
  analysis?.peakSharpness !== undefined && analysis.faces !== undefined;

/** Photos analysed at once: each decode holds a few MB after shrink-on-load. */
const ANALYSE_CONCURRENCY = 2;

/**
 * Facts for every photo: the analysis made at upload, or (for a photo stored
 * without one, or with one older than the sharpest-part measure) made now from its bytes; null for one that cannot be read or
 * decoded (it is left out, not fatal).
 */
export async function analysePhotos(
  media: Media[],
  load: (mediaId: string) => Promise<Uint8Array>,
): Promise<Map<string, PhotoFacts | null>> {
  const facts = new Map<string, PhotoFacts | null>();
  for (const item of media)
    if (isCurrent(item.analysis)) facts.set(item.mediaId, { mediaId: item.mediaId, ...item.analysis });
  const queue = media.filter((item) => !isCurrent(item.analysis));
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const current = item;
      facts.set(
        current.mediaId,
        await load(current.mediaId)
          .then(async (bytes) => ({ mediaId: current.mediaId, ...(await analysePhoto(current, bytes)) }))
          .catch(() => null),
      );
    }
  };
  await Promise.all(Array.from({ length: ANALYSE_CONCURRENCY }, worker));
  return facts;
}
