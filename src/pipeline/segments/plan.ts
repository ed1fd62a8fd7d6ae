import type { SegmentRange } from '../../schemas/segments.js';
import { frameSpans, shotBodies } from '../agents/compose/graph.js';

export interface SegmentSettings {
  /** The most segments a render is split into. */
  max: number;
  /** Picture worth one segment, in seconds of 1080p (a 720p second is worth 0.44 of one). */
  secondsPerSegment: number;
}

const FULL_HD_PIXELS = 1920 * 1080;

/**
 * How many segments a render is split into: one per `secondsPerSegment` of
 * 1080p-equivalent picture, at most `max`. A short video stays whole, where
 * starting more invocations and joining would cost more than it saves.
 */
export function segmentCount(frame: { durationSec: number; width: number; height: number }, settings: SegmentSettings): number {
  const work = (frame.durationSec * frame.width * frame.height) / FULL_HD_PIXELS;
  return Math.max(1, Math.min(settings.max, Math.floor(work / settings.secondsPerSegment)));
}

/**
 * Splits the timeline into at most `count` segments of nearly equal length.
 * Every cut lies inside a shot's body, never in a transition: the frames
 * either side of a cut show the same photo on the same motion path, so the
 * join is as smooth as any other pair of frames. Cuts keep a second from each
 * other and from the ends; a timeline with fewer bodies gets fewer segments.
 */
export function planSegments(
  timeline: { durationSec: number; shots: Array<{ startSec: number; durationSec: number }> },
  count: number,
  fps: number,
): SegmentRange[] {
  const totalFrames = Math.round(timeline.durationSec * fps);
  const bodies = shotBodies(frameSpans(timeline.shots, fps), totalFrames).filter((body) => body.to - body.from >= 2);
  const cuts: number[] = [];
  for (let j = 1; j < count; j++) {
    const target = Math.round((j * totalFrames) / count);
    let best: number | null = null;
    for (const body of bodies) {
      // A cut at f starts a segment with frame f; frame f - 1 must be in the same body.
      const candidate = Math.min(Math.max(target, body.from + 1), body.to - 1);
      if (best === null || Math.abs(candidate - target) < Math.abs(best - target)) best = candidate;
    }
    const previous = cuts.at(-1) ?? 0;
    if (best !== null && best - previous >= fps && totalFrames - best >= fps) cuts.push(best);
  }
  const edges = [0, ...cuts, totalFrames];
  return edges.slice(0, -1).map((from, index) => ({ index, from, to: edges[index + 1]! }));
}
