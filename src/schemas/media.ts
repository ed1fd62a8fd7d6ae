import { z } from 'zod';
import { idSchema, isoDate } from './common.js';

export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/heic', 'image/heif'] as const;
export const imageTypeSchema = z.enum(IMAGE_TYPES);
export type ImageType = z.infer<typeof imageTypeSchema>;
export const CLIP_TYPES = ['video/mp4', 'video/quicktime'] as const;
export type ClipType = (typeof CLIP_TYPES)[number];
export const mediaTypeSchema = z.enum([...IMAGE_TYPES, ...CLIP_TYPES]);
export const mediaKindSchema = z.enum(['photo', 'clip']);

const unit = z.number().min(0).max(1);

/** A region of a photo in 0..1 of its width and height, upright. */
export const photoRegionSchema = z.object({ x: unit, y: unit, width: unit, height: unit });

/** What a photo's pixels say, measured once when it is uploaded (the director reads it; see media/analyse.ts). */
export const photoAnalysisSchema = z.object({
  /** 64-bit perceptual hash (DCT), as a string of 0s and 1s: near-duplicates differ in few bits. */
  hash: z.string().regex(/^[01]{64}$/),
  /** Variance of the Laplacian of the whole luminance at a fixed size: how much fine detail there is. */
  sharpness: z.number().nonnegative(),
  /**
   * How crisp the photo's sharpest part is (see media/sharpness.ts): about 1/(edge width in pixels) at a fixed
   * size, whatever the texture; null when no part has the contrast to judge. Absent from analyses made before it
   * existed: the director measures those photos again.
   */
  peakSharpness: z.number().nonnegative().nullable().optional(),
  /** 0..1: 1 for a mid-grey mean with nothing clipped. */
  exposure: unit,
  /** The region a crop must keep whole: the heads of the faces found, else the most salient region (edges, skin tones, saturation). */
  focus: photoRegionSchema,
  /**
   * The faces found (brow to chin), largest first; empty when there are none. Absent from analyses made before
   * faces were looked for: the director measures those photos again.
   */
  faces: z.array(photoRegionSchema).max(8).optional(),
});
export type PhotoAnalysis = z.infer<typeof photoAnalysisSchema>;

/** When the photo was taken: with its UTC offset when the camera recorded one, else local wall-clock time. */
export const takenAtSchema = z.iso.datetime({ offset: true, local: true }).nullable();

export const mediaSchema = z.object({
  mediaId: idSchema,
  /** Absent on a photo stored before clips were accepted. */
  kind: mediaKindSchema.default('photo'),
  contentType: mediaTypeSchema,
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Width and height as displayed, after EXIF orientation (a clip's after its display matrix rotation). */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  takenAt: takenAtSchema,
  filename: z.string(),
  gps: z
    .object({
      latitude: z.number().min(-90).max(90),
      longitude: z.number().min(-180).max(180),
      altitude: z.number().nullable(),
    })
    .nullable(),
  camera: z.object({ make: z.string().nullable(), model: z.string().nullable() }).nullable(),
  orientation: z.number().int().min(1).max(8),
  uploadedAt: isoDate,
  /** Absent on a photo stored before photos were analysed at upload: the director analyses it then. */
  analysis: photoAnalysisSchema.optional(),
  /** A clip's length in seconds. */
  durationSec: z.number().positive().max(3600).optional(),
  /** A Live Photo: the still's motion, a clip stored beside it (listed only through this photo). */
  liveClip: z.object({ mediaId: idSchema, durationSec: z.number().positive() }).optional(),
  /** The motion of a Live Photo: the photo it belongs to. Such a clip is not listed on its own. */
  liveOf: idSchema.optional(),
  /**
   * Apple's content identifier, which a Live Photo's still and movie share: a still and a clip of the project with the
   * same one are one Live Photo, whether they were uploaded together or not.
   */
  contentId: z
    .string()
    .regex(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/)
    .optional(),
});
export type Media = z.infer<typeof mediaSchema>;

export const MAX_PHOTO_BYTES = 50 * 1024 * 1024;
/** A minute of 4K HEVC from a phone is about 45 MB at 6 Mbit/s; 100 MB leaves room for higher bitrates. */
export const MAX_CLIP_BYTES = 100 * 1024 * 1024;
export const MAX_CLIP_SEC = 60;
export const DIRECT_UPLOAD_LIMIT = 4 * 1024 * 1024;
export const UPLOAD_PART_SIZE = 4 * 1024 * 1024;

export const startUploadBodySchema = z.strictObject({
  filename: z.string().trim().min(1).max(255),
  bytes: z
    .number()
    .int()
    .positive()
    .max(MAX_CLIP_BYTES, `a clip may be at most ${MAX_CLIP_BYTES} bytes, a photo ${MAX_PHOTO_BYTES}`),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits')
    .transform((s) => s.toLowerCase())
    .optional(),
});

export const uploadSessionSchema = z.object({
  uploadId: idSchema,
  projectId: idSchema,
  filename: z.string(),
  bytes: z.number().int().positive(),
  sha256: z.string().nullable(),
  partSize: z.number().int().positive(),
  partCount: z.number().int().positive(),
  createdAt: isoDate,
  expiresAt: isoDate,
});
export type UploadSession = z.infer<typeof uploadSessionSchema>;

/** What a client needs of a new upload session to send its parts. */
export const startUploadResponseSchema = uploadSessionSchema.pick({
  uploadId: true,
  partSize: true,
  partCount: true,
  expiresAt: true,
});

export const mediaListResponseSchema = z.object({ media: z.array(mediaSchema) });
export const uploadPartResponseSchema = z.object({
  n: z.number().int().nonnegative(),
  bytes: z.number().int().positive(),
});
export const completeUploadResponseSchema = z.object({ media: mediaSchema });
