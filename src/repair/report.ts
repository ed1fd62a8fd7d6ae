import { z } from 'zod';

/** The kinds of inconsistency repair looks for, each counted in `found` and (unless a dry run) in `repaired`. */
export const REPAIR_KINDS = [
  /** Videos or posters whose run does not exist (nor its archive record), or that ended without completing. */
  'orphanVideos',
  /** Voice and music of runs that no longer exist. */
  'orphanAudio',
  /** Progress logs of runs that no longer exist. */
  'orphanProgress',
  /** Leases of runs that no longer exist. */
  'orphanLeases',
  /** Other run documents (storyboard, failure) left without their state.json. */
  'orphanRunDocuments',
  /** Complete runs whose video is missing: marked failed with `output_missing`. */
  'missingOutputs',
  /** Queued or running runs missing from the index of active runs: added, so the watchdog sees them. */
  'missingActiveMarkers',
  /** Run states that fail their own checks: the run is failed with `state_unreadable` and its progress log ended. */
  'unreadableRunStates',
  /** Progress logs that fail their own checks: rebuilt with an event saying so, and ended when their run has. */
  'unreadableProgressLogs',
  /** Memory indexes whose ratings disagree with the evaluations: rebuilt from the evaluations. */
  'memoryIndexMismatches',
  /** Chunked uploads never completed past their expiry, parts without a session, parts left after completion. */
  'staleUploads',
] as const;

export const repairCountsSchema = z.object(
  Object.fromEntries(REPAIR_KINDS.map((kind) => [kind, z.number().int().nonnegative()])) as Record<
    (typeof REPAIR_KINDS)[number],
    z.ZodNumber
  >,
);
export type RepairCounts = z.infer<typeof repairCountsSchema>;
export const emptyCounts = (): RepairCounts =>
  Object.fromEntries(REPAIR_KINDS.map((kind) => [kind, 0])) as RepairCounts;

export const REPAIR_PHASES = ['videos', 'runs', 'progress', 'audio', 'memory', 'uploads'] as const;
export type RepairPhase = (typeof REPAIR_PHASES)[number];

export const repairCursorSchema = z.object({
  phase: z.enum(REPAIR_PHASES).nullable(),
  lastKey: z.string().nullable(),
  /** When the last whole pass ended; the scheduled slices start a new one only a while after. */
  lastCompletedAt: z.string().nullable(),
});
export type RepairCursor = z.infer<typeof repairCursorSchema>;

export const repairBodySchema = z.strictObject({
  /** Report what would be repaired and change nothing. */
  dryRun: z.boolean().optional(),
});

export const repairReportSchema = z.object({
  dryRun: z.boolean(),
  found: repairCountsSchema,
  repaired: repairCountsSchema,
  /** Up to 100 of the keys found, as `kind: store/key`. */
  items: z.array(z.string()),
  complete: z.boolean(),
  examined: z.number().int(),
  errors: z.array(z.object({ phase: z.string(), key: z.string(), message: z.string() })),
  durationMs: z.number(),
});
export type RepairReport = z.infer<typeof repairReportSchema>;
