import { z } from 'zod';

export const healthSchema = z.object({
  ok: z.boolean(),
  version: z.string(),
  auth: z.enum(['enabled', 'disabled', 'misconfigured']),
  ffmpeg: z.object({ path: z.string(), version: z.string(), source: z.enum(['env', 'path', 'bundled']) }).nullable(),
  /** `read` for anyone; `round-trip` (write a nonce, read it back) with the admin token. */
  blobs: z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional(), check: z.enum(['read', 'round-trip']).optional() }),
  providers: z.record(z.string(), z.string()),
});
export type Health = z.infer<typeof healthSchema>;
