import { z } from 'zod';

export const ffmpegInfoSchema = z.object({ path: z.string(), version: z.string(), source: z.enum(['env', 'path', 'bundled']) });

/** What the render function found when it last started a run. */
export const rendererSchema = z.object({ ffmpeg: ffmpegInfoSchema.nullable(), checkedAt: z.iso.datetime() });
export type Renderer = z.infer<typeof rendererSchema>;

export const healthSchema = z.object({
  ok: z.boolean(),
  version: z.string(),
  auth: z.enum(['enabled', 'disabled', 'misconfigured']),
  /** ffmpeg as found here; null where this function carries none (on Netlify only the render function does). */
  ffmpeg: ffmpegInfoSchema.nullable(),
  /** The render function's own report from its last start; null before the first run. */
  renderer: rendererSchema.nullable(),
  blobs: z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() }),
  providers: z.record(z.string(), z.string()),
});
export type Health = z.infer<typeof healthSchema>;
