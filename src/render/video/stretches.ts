import { createHash } from 'node:crypto';
import type { Storyboard } from '../../schemas/run.js';
import { fpsOf, frameSpans, totalFramesOf } from '../graph.js';
import { titleSpan } from '../picture/render-frames.js';
import type { FrameRange } from './segment.js';

/**
 * Raised whenever what a frame looks like, or how it is encoded, changes for
 * the same storyboard: a stretch keyed before then is never taken for one
 * drawn after.
 */
const DRAWING_VERSION = 4;

/** A stretch of picture between two keyframes, and the content key of what is drawn in it. */
export interface Stretch extends FrameRange {
  key: string;
}

/**
 * Where a picture has keyframes beyond its first frame: where each transition
 * starts and where it ends. A stretch between two of them shows one shot
 * alone or one transition, so an edit that changes a shot re-renders exactly
 * the frames that show it and copies every other stretch.
 */
export function stretchBoundaries(storyboard: Storyboard): number[] {
  const total = totalFramesOf(storyboard);
  const spans = frameSpans(storyboard.shots, fpsOf(storyboard));
  const edges = spans.flatMap((span, i) => (i === 0 ? [span.end] : [span.start, span.end]));
  return [...new Set(edges)].filter((frame) => frame > 0 && frame < total).sort((a, b) => a - b);
}

/** The picture's stretches in timeline order, each with the key of everything that draws it. */
export function pictureStretches(storyboard: Storyboard, encoder: string[]): Stretch[] {
  const edges = [0, ...stretchBoundaries(storyboard), totalFramesOf(storyboard)];
  return edges.slice(0, -1).map((from, i) => {
    const range = { from, to: edges[i + 1]! };
    return { ...range, key: stretchKey(storyboard, range, encoder) };
  });
}

/**
 * A content key for frames [from, to): a hash of every input that draws them,
 * placed relative to the stretch's first frame, so the same picture keys the
 * same wherever it sits. The photos are named by their media id, which is the
 * hash of their bytes.
 */
export function stretchKey(storyboard: Storyboard, range: FrameRange, encoder: string[]): string {
  const fps = fpsOf(storyboard);
  const total = totalFramesOf(storyboard);
  const spans = frameSpans(storyboard.shots, fps);
  const at = (frame: number | undefined) => (frame === undefined ? null : frame - range.from);
  const last = spans.length - 1;
  const shots = storyboard.shots.flatMap((shot, i) => {
    const span = spans[i]!;
    if (span.start >= range.to || (span.end <= range.from && i !== last)) return [];
    const { kind, mediaId, pair, motion, framing, focus, caption, clipStartSec, map } = shot;
    // Captions are timed from the neighbours' transitions, and the last shot runs to the end.
    const neighbours = { previousEnd: at(spans[i - 1]?.end), nextStart: at(spans[i + 1]?.start), last: i === last };
    return [
      {
        first: i === 0,
        kind,
        mediaId,
        pair,
        clipStartSec,
        map,
        motion,
        framing,
        focus,
        caption,
        start: at(span.start),
        end: at(span.end),
        ...neighbours,
      },
    ];
  });
  const title = storyboard.title && spans[0]!.start < range.to && spans[0]!.end > range.from ? storyboard.title : null;
  const titleFrames = titleSpan({ fps, shots: spans });
  const fade = Math.round(Math.min(1, total / fps / 4) * fps);
  const inputs = {
    version: DRAWING_VERSION,
    frames: range.to - range.from,
    frame: { width: storyboard.width, height: storyboard.height, aspect: storyboard.aspect, fps },
    encoder,
    transition: storyboard.transition,
    title: title && { ...title, from: at(titleFrames.from), to: at(titleFrames.to) },
    fadeOut: range.to > total - fade ? { from: at(total - fade), frames: fade } : null,
    shots,
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 32);
}

/**
 * ffmpeg's `-force_key_frames` for an encode of frames [from, to): the
 * boundaries inside it, by frame number (times given in seconds can round
 * onto the frame before).
 */
export function forcedKeyframes(boundaries: number[], range: FrameRange): string[] {
  const inside = boundaries.filter((frame) => frame > range.from && frame < range.to);
  if (inside.length === 0) return [];
  return ['-force_key_frames', `expr:${inside.map((frame) => `eq(n,${frame - range.from})`).join('+')}`];
}
