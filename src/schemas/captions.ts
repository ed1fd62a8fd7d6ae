import { z } from 'zod';
import { narrationSegmentSchema } from './run.js';

/** A narration line as the voice placed it: where it starts and how long its speech lasts, silence trimmed. */
export const spokenLineSchema = narrationSegmentSchema.extend({ durationSec: z.number().nonnegative() });
export type SpokenLine = z.infer<typeof spokenLineSchema>;

/** The voice's timing of a run's narration: the lines heard, in order (lines left out for lack of time are not). */
export const narrationTimingSchema = z.object({ lines: z.array(spokenLineSchema).max(1000) });

/** One caption: what is said from `startSec` to `endSec`. */
export interface CaptionCue {
  startSec: number;
  endSec: number;
  text: string;
}
