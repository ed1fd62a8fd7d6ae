import { z } from 'zod';

const optionalString = z.string().trim().min(1).optional().catch(undefined);
const intIn = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** Every environment variable the service reads, validated in one place. */
export const configSchema = z.object({
  SIRTRAV_API_SECRET: optionalString,
  SIRTRAV_ADMIN_TOKEN: optionalString,
  /**
   * `1` declares this process local (`npm start`, the demo, the tests): only then may a missing
   * SIRTRAV_API_SECRET turn auth off. Netlify gives a function no CONTEXT at run time, so nothing else decides it.
   */
  SIRTRAV_LOCAL: z
    .enum(['0', '1', ''])
    .default('')
    .transform((value) => value === '1'),
  /** `1` lets webhooks reach private, loopback and link-local addresses (local development and tests only). */
  SIRTRAV_WEBHOOK_ALLOW_PRIVATE: z
    .enum(['0', '1', ''])
    .default('')
    .transform((value) => value === '1'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Comma-separated origins allowed by CORS; empty means same origin only. */
  SIRTRAV_CORS_ORIGINS: z.string().default(''),
  SIRTRAV_LINK_TTL_SEC: intIn(60, 7 * 24 * 3600, 6 * 3600),
  SIRTRAV_MAX_ACTIVE_RUNS: intIn(1, 100, 3),
  SIRTRAV_MAX_PHOTOS: intIn(1, 100_000, 500),
  /** Runs kept in a project's memory index (newest); older ones no longer count. */
  SIRTRAV_MEMORY_HISTORY: intIn(10, 10_000, 500),
  SIRTRAV_PROGRESS_POLL_MS: intIn(50, 5000, 250),
  SIRTRAV_STREAM_WINDOW_MS: intIn(500, 9000, 8000),
  /** Retention, in days (see src/retention/policy.ts). */
  SIRTRAV_RETAIN_PROGRESS_DAYS: intIn(1, 3650, 30),
  SIRTRAV_RETAIN_RUNS_DAYS: intIn(1, 3650, 90),
  SIRTRAV_RETAIN_MEDIA_DAYS: intIn(1, 3650, 90),
  SIRTRAV_RETAIN_UPLOADS_DAYS: intIn(1, 365, 1),
  FFMPEG_PATH: optionalString,
  OPENAI_API_KEY: optionalString,
  OPENAI_BASE_URL: z.url().default('https://api.openai.com/v1'),
  OPENAI_MODEL: z.string().default('gpt-4o-mini'),
  ELEVENLABS_API_KEY: optionalString,
  ELEVENLABS_BASE_URL: z.url().default('https://api.elevenlabs.io'),
  /** How long a pipeline invocation holds a run before another may take over. */
  SIRTRAV_LEASE_TTL_MS: intIn(1000, 15 * 60 * 1000, 60_000),
  /** Invocations of a run that may die before reaching the pipeline (taking its lease) before the run is failed `pipeline_never_started`. */
  SIRTRAV_MAX_UNSTARTED_TRIGGERS: intIn(1, 100, 5),
  /** Segmented rendering (src/pipeline/segments): the most segments a render is split into; 1 renders every video in one invocation. */
  SIRTRAV_SEGMENTS_MAX: intIn(1, 32, 24),
  /**
   * Picture per segment, in seconds of 1080p: a video with less than two of these renders in one piece. Unset, it
   * depends on where segments run (src/pipeline/segments/decide.ts): short on Netlify, long on one machine.
   */
  SIRTRAV_SEGMENT_SECONDS: z.coerce.number().min(0.05).max(3600).optional(),
  /** Segments rendered at once; 0 means every segment at once on Netlify, and one per core elsewhere. */
  SIRTRAV_SEGMENT_CONCURRENCY: intIn(0, 64, 0),
  /**
   * Reads per client and minute, per function instance (src/http/rate-limit.ts): every GET under /api,
   * and byte routes (videos, photos, export parts) on their own; 0 turns a limit off.
   */
  SIRTRAV_RATE_READS_PER_MIN: intIn(0, 1_000_000, 1200),
  SIRTRAV_RATE_BYTES_PER_MIN: intIn(0, 1_000_000, 600),
  /** First webhook retry delay; each later one waits 4× longer (see src/webhooks/deliver.ts). */
  SIRTRAV_WEBHOOK_RETRY_BASE_MS: intIn(10, 600_000, 1000),
  /** Each webhook attempt (resolving, connecting, sending, reading the answer) is cut after this long. */
  SIRTRAV_WEBHOOK_DEADLINE_MS: intIn(100, 20_000, 10_000),
});

export type Config = z.infer<typeof configSchema>;

let cached: { source: NodeJS.ProcessEnv; snapshot: string; config: Config } | undefined;

/** Reads the environment; re-parsed only when it changed, never written to. */
export function getConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const snapshot = JSON.stringify(Object.keys(configSchema.shape).map((name) => env[name]));
  if (cached && cached.source === env && cached.snapshot === snapshot) return cached.config;
  const config = configSchema.parse(env);
  cached = { source: env, snapshot, config };
  return config;
}

export const VERSION = '0.1.0';
