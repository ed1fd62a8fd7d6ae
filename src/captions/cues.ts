import type { CaptionCue, SpokenLine } from '../schemas/captions.js';
import type { NarrationSegment, Storyboard } from '../schemas/run.js';

/**
 * The lines a run says: the storyboard's segments, or (for a storyboard stored before segments) the script from
 * 0.6 s. The voice places these and captions time them, so the two read one list.
 */
export function segmentsOf(storyboard: Pick<Storyboard, 'narration'>): NarrationSegment[] {
  if (storyboard.narration.segments) return storyboard.narration.segments;
  return storyboard.narration.script ? [{ startSec: 0.6, text: storyboard.narration.script }] : [];
}

export interface CueInput {
  /** The storyboard's lines, in order: where each line may start and where the next one does. */
  segments: NarrationSegment[];
  /** The lines the voice said, with how long each lasts; null for a run voiced before line timing was stored. */
  spoken: SpokenLine[] | null;
  /** The video's length: no caption runs past it. */
  durationSec: number;
}

/**
 * Captions from the same placement the voice used: each heard line starts
 * where the voice put it and ends when its speech ends, or when the next line
 * starts, whichever is earlier. Without stored timing (older runs) every line
 * is shown until the next one starts, and lines the voice left out cannot be
 * told apart.
 */
export function captionCues({ segments, spoken, durationSec }: CueInput): CaptionCue[] {
  const starts = segments.map((segment) => segment.startSec).sort((a, b) => a - b);
  const nextStart = (startSec: number) => starts.find((start) => start > startSec) ?? durationSec;
  const lines = spoken ?? segments.map((segment) => ({ ...segment, durationSec: Number.POSITIVE_INFINITY }));
  return lines
    .map((line) => ({
      startSec: line.startSec,
      endSec: Math.min(line.startSec + line.durationSec, nextStart(line.startSec), durationSec),
      text: line.text.replace(/\s+/g, ' ').trim(),
    }))
    .filter((cue) => cue.text !== '' && cue.endSec > cue.startSec);
}
