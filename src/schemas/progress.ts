import { z } from 'zod';
import { idSchema, isoDate } from './common.js';
import { AGENTS } from './run.js';

export const progressAgentSchema = z.enum([...AGENTS, 'pipeline']);
export type ProgressAgent = z.infer<typeof progressAgentSchema>;

/** Statuses that end a run; only the pipeline emits them. */
export const TERMINAL_EVENT_STATUSES = ['complete', 'failed', 'cancelled'] as const;

export const progressEventSchema = z.object({
  seq: z.number().int().positive(),
  ts: isoDate,
  agent: progressAgentSchema,
  status: z.string().regex(/^[a-z_]{1,32}$/),
  progress: z.number().min(0).max(1),
  message: z.string().max(1000).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type ProgressEvent = z.infer<typeof progressEventSchema>;

/** What a writer hands to appendProgress; seq, ts and the progress floor are assigned there. */
export type ProgressInput = Omit<ProgressEvent, 'seq' | 'ts'>;

export const PROGRESS_CAP = 200;

/** The stored log: the newest events (at most PROGRESS_CAP) and how many older ones were dropped. */
export const progressLogSchema = z.object({
  projectId: idSchema,
  runId: idSchema,
  events: z.array(progressEventSchema).max(PROGRESS_CAP),
  lastSeq: z.number().int().nonnegative(),
  dropped: z.number().int().nonnegative(),
  terminal: z.boolean(),
});
export type ProgressLog = z.infer<typeof progressLogSchema>;

export const progressListSchema = z.object({
  events: z.array(progressEventSchema),
  dropped: z.number().int().nonnegative(),
  lastSeq: z.number().int().nonnegative(),
  terminal: z.boolean(),
});

export const isTerminalEvent = (event: Pick<ProgressEvent, 'agent' | 'status'>) =>
  event.agent === 'pipeline' && (TERMINAL_EVENT_STATUSES as readonly string[]).includes(event.status);
