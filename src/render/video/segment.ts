import { join } from 'node:path';
import { SOUNDTRACK_AAC } from '../sound/audio-graph.js';

/** Frames [from, to) of a render's timeline. */
export interface FrameRange {
  from: number;
  to: number;
}

/** The shots with a frame in `range`: the only photos a segment prepares. */
export function shotsInRange(spans: Array<{ start: number; end: number }>, range: FrameRange): Set<number> {
  const needed = new Set<number>();
  spans.forEach((span, i) => {
    const last = i === spans.length - 1;
    if (span.start < range.to && (span.end > range.from || last)) needed.add(i);
  });
  return needed;
}

/**
 * ffmpeg arguments that encode raw frames from stdin to a picture-only MP4.
 * Every segment gets exactly these, so their streams are interchangeable: the
 * same encoder settings and time base, and x264's closed GOPs, so each file
 * starts with a keyframe that refers to nothing before it.
 */
export function pictureArgs(
  frame: { width: number; height: number },
  fps: number,
  encoder: string[],
  colour: string[],
  output: string,
): string[] {
  return [
    ...rawFramesInput(frame, fps, colour),
    '-map',
    '0:v',
    ...encoder,
    '-pix_fmt',
    'yuv420p',
    ...colour,
    '-an',
    output,
  ];
}

/** ffmpeg's first input: raw yuv420p frames of `frame` at `fps` on stdin, tagged with their colour. */
export function rawFramesInput(frame: { width: number; height: number }, fps: number, colour: string[]): string[] {
  return [
    '-f',
    'rawvideo',
    '-pix_fmt',
    'yuv420p',
    '-s',
    `${frame.width}x${frame.height}`,
    '-r',
    String(fps),
    ...colour,
    '-i',
    'pipe:0',
  ];
}

/**
 * ffmpeg arguments that join picture segments by stream copy (the concat
 * demuxer lays each file after the last by its duration, so timestamps run on
 * without a gap) and mux the soundtrack, made once for the whole timeline, so
 * audio has no seam at all.
 */
export function joinArgs(dir: string, listFile: string, durationSec: number, output: string): string[] {
  return [
    '-f',
    'concat',
    '-safe',
    '0',
    '-i',
    listFile,
    '-i',
    join(dir, SOUNDTRACK_AAC),
    '-map',
    '0:v',
    '-map',
    '1:a',
    '-c',
    'copy',
    '-movflags',
    '+faststart',
    '-t',
    durationSec.toFixed(3),
    output,
  ];
}

/** The concat demuxer's list: one quoted path per line (a quote in a path is escaped as the demuxer expects). */
export function concatList(files: string[]): string {
  return files.map((file) => `file '${file.replace(/'/g, "'\\''")}'\n`).join('');
}
