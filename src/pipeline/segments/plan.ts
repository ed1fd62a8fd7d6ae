import type { SegmentRange } from '../../schemas/segments.js';
import { frameSpans, shotBodies } from '../../render/graph.js';

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
export function segmentCount(
  frame: { durationSec: number; width: number; height: number },
  settings: SegmentSettings,
): number {
  const work = (frame.durationSec * frame.width * frame.height) / FULL_HD_PIXELS;
  return Math.max(1, Math.min(settings.max, Math.floor(work / settings.secondsPerSegment)));
}

/**
 * What rendering costs in one invocation, in seconds of one core at 1080p
 * (measured on one core): a frame with one photo on it (drawn and encoded),
 * what a transition frame adds (a second photo drawn, the two blended, and a
 * harder frame to encode), and preparing a phone photo (decoding 12 MP; a
 * blurred fill makes a second picture; a portrait pair decodes two).
 */
const FULL_HD_COSTS = { frame: 0.04, transition: 0.055, prepare: { crop: 0.3, fill: 0.65, pair: 0.6 } };

interface PlannedShot {
  startSec: number;
  durationSec: number;
  framing?: 'crop' | 'fill' | 'pair';
}

/**
 * Splits the timeline into at most `count` segments that cost about the same
 * to render: frames weigh by the pixels drawn (a transition draws two photos),
 * and each segment also prepares every photo it shows, so a shot cut in two is
 * prepared twice. Every cut lies inside a shot's body, never in a transition:
 * the frames either side of a cut show the same photo on the same motion
 * path, so the join is as smooth as any other pair of frames. Cuts keep a
 * second from each other and from the ends; a timeline with fewer bodies gets
 * fewer segments.
 */
export function planSegments(
  timeline: { durationSec: number; width?: number; height?: number; shots: PlannedShot[] },
  count: number,
  fps: number,
): SegmentRange[] {
  const totalFrames = Math.round(timeline.durationSec * fps);
  const spans = frameSpans(timeline.shots, fps);
  const last = spans.length - 1;
  // The last shot stays on screen to the end.
  const covers = spans.map((span, i) => ({
    from: span.start,
    to: i === last ? Math.max(span.end, totalFrames) : span.end,
  }));
  const pixels = ((timeline.width ?? 1920) * (timeline.height ?? 1080)) / FULL_HD_PIXELS;
  // cumulative[f]: the cost of drawing frames [0, f).
  const cumulative = new Float64Array(totalFrames + 1);
  const onScreen = new Int32Array(totalFrames);
  for (const cover of covers)
    for (let f = Math.max(0, cover.from); f < Math.min(totalFrames, cover.to); f++) onScreen[f]!++;
  for (let f = 0; f < totalFrames; f++)
    cumulative[f + 1] =
      cumulative[f]! + pixels * (FULL_HD_COSTS.frame + Math.max(0, onScreen[f]! - 1) * FULL_HD_COSTS.transition);
  const prepare = timeline.shots.map((shot) => FULL_HD_COSTS.prepare[shot.framing ?? 'crop']);
  const cost = (from: number, to: number) => {
    let total = cumulative[to]! - cumulative[from]!;
    covers.forEach((cover, i) => {
      if (cover.from < to && cover.to > from) total += prepare[i]!;
    });
    return total;
  };

  const candidates = shotBodies(spans, totalFrames)
    .filter((body) => body.to - body.from >= 2)
    // A cut at f starts a segment with frame f; frame f - 1 must be in the same body.
    .flatMap((body) => Array.from({ length: body.to - body.from - 1 }, (_, k) => body.from + 1 + k));
  const cuts: number[] = [];
  for (let j = 1; j < count; j++) {
    const previous = cuts.at(-1) ?? 0;
    const target = cost(previous, totalFrames) / (count - j + 1);
    let best: number | null = null;
    let bestError = Infinity;
    for (const candidate of candidates) {
      if (candidate - previous < fps || totalFrames - candidate < fps) continue;
      const error = Math.abs(cost(previous, candidate) - target);
      if (error < bestError) [best, bestError] = [candidate, error];
    }
    if (best === null) break;
    cuts.push(best);
  }
  const edges = [0, ...cuts, totalFrames];
  return edges.slice(0, -1).map((from, index) => ({ index, from, to: edges[index + 1]! }));
}
