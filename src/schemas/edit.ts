import { z } from 'zod';
import { idSchema, label, plainText } from './common.js';

/** An index into the source run's storyboard (its shots, or its narration lines). */
const index = z.number().int().min(0).max(9999);

/**
 * One change to an earlier run's storyboard. Indices always refer to the
 * source's storyboard as it was, whatever edits come before in the list.
 */
export const editSchema = z.discriminatedUnion('op', [
  /** Another photo or clip of the project in the shot, on the same timing. */
  z.strictObject({ op: z.literal('replace'), shot: index, mediaId: idSchema }),
  /** The shot goes; its neighbours share its time and the video keeps its length. */
  z.strictObject({ op: z.literal('remove'), shot: index }),
  /** The shot's picture moves to slot `to`; every slot keeps its timing, so the cuts stay on the beat. */
  z.strictObject({ op: z.literal('move'), shot: index, to: index }),
  /** New words for one line of `narration.segments`, at the same time. */
  z.strictObject({ op: z.literal('narration'), line: index, text: plainText(500).min(1) }),
  z.strictObject({ op: z.literal('title'), text: plainText(120).min(1) }),
  /** Another style of music: a new soundtrack on the same beat. */
  z.strictObject({ op: z.literal('music'), musicStyle: label }),
]);
export type Edit = z.infer<typeof editSchema>;
export type EditOp = Edit['op'];

export const editsSchema = z.array(editSchema).min(1).max(100);

/** How much of an edited run's picture was copied from its source unchanged. */
export const reusedSchema = z.object({
  frames: z.number().int().nonnegative(),
  of: z.number().int().positive(),
  /** Why nothing could be reused, when the source's picture could not be read (retention removed it). */
  fallback: z.string().optional(),
});
export type Reused = z.infer<typeof reusedSchema>;

/**
 * How a run's picture is cut: a keyframe starts every stretch, and each
 * stretch's key names everything that draws it (src/render/video/stretches.ts).
 * An edit of the run copies every stretch whose key it still has.
 */
export const pictureLayoutSchema = z.object({
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  fps: z.number().int().positive(),
  totalFrames: z.number().int().positive(),
  stretches: z
    .array(z.object({ from: z.number().int().nonnegative(), to: z.number().int().positive(), key: z.string().max(64) }))
    .min(1),
});
export type PictureLayout = z.infer<typeof pictureLayoutSchema>;
