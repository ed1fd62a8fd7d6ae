import { z } from 'zod';
import { isoDate } from './common.js';

/** One segment of a render: frames [from, to) of the timeline. */
export const segmentRangeSchema = z.object({
  index: z.number().int().nonnegative(),
  from: z.number().int().nonnegative(),
  to: z.number().int().positive(),
});
export type SegmentRange = z.infer<typeof segmentRangeSchema>;

/** How a run's picture is split: fixed once stored, so a resumed orchestrator and every segment agree. */
export const segmentPlanSchema = z.object({
  totalFrames: z.number().int().positive(),
  fps: z.number().int().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  segments: z.array(segmentRangeSchema).min(1),
  createdAt: isoDate,
});
export type SegmentPlan = z.infer<typeof segmentPlanSchema>;

/** What a segment's invocation reports of itself; only that invocation writes it. */
export const segmentStatusSchema = z.object({
  state: z.enum(['rendering', 'done', 'failed']),
  /** Invocations that took the segment's lease. */
  attempts: z.number().int().nonnegative(),
  framesDone: z.number().int().nonnegative(),
  frames: z.number().int().positive(),
  bytes: z.number().int().nonnegative().optional(),
  /** Peak resident memory of the segment's process (ffmpeg not included), for operations. */
  peakRssMb: z.number().nonnegative().optional(),
  renderMs: z.number().nonnegative().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  updatedAt: z.number(),
});
export type SegmentStatus = z.infer<typeof segmentStatusSchema>;
