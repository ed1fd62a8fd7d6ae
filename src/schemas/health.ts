import { z } from 'zod';

export const ffmpegInfoSchema = z.object({
  path: z.string(),
  version: z.string(),
  source: z.enum(['env', 'path', 'bundled']),
});

/** What the render function found when it last started a run. */
export const rendererSchema = z.object({ ffmpeg: ffmpegInfoSchema.nullable(), checkedAt: z.iso.datetime() });
export type Renderer = z.infer<typeof rendererSchema>;

/**
 * Anyone sees liveness, version, auth mode, whether ffmpeg is there and a Blobs read; the admin token also sees
 * where ffmpeg is and which build, the renderer's last report and the providers (what an attacker would look up).
 */
export const healthSchema = z.object({
  ok: z.boolean(),
  version: z.string(),
  auth: z.enum(['enabled', 'disabled', 'misconfigured']),
  /** Whether a renderer has ffmpeg: this function's own, or the render function's last report. */
  ffmpegFound: z.boolean(),
  /** `read` for anyone; `round-trip` (write a nonce, read it back) with the admin token. */
  blobs: z.object({
    ok: z.boolean(),
    ms: z.number(),
    error: z.string().optional(),
    check: z.enum(['read', 'round-trip']).optional(),
  }),
  /** With the admin token only. */
  details: z
    .object({
      /** ffmpeg as found here; null where this function carries none (on Netlify only the render function does). */
      ffmpeg: ffmpegInfoSchema.nullable(),
      /** The render function's own report from its last start; null before the first run. */
      renderer: rendererSchema.nullable(),
      providers: z.record(z.string(), z.string()),
    })
    .optional(),
});
export type Health = z.infer<typeof healthSchema>;
