import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { RenderError } from '../errors.js';
import { runFfmpeg } from '../ffmpeg.js';
import { SOUNDTRACK_AAC } from '../sound/audio-graph.js';
import type { FrameRange } from './segment.js';

export interface SplitOptions {
  ffmpeg: string;
  /** The earlier video, whose picture has a keyframe at the start of every range. */
  file: string;
  /** Its stretches in timeline order, from frame 0 to its end. */
  ranges: FrameRange[];
  fps: number;
  /** Where the pieces go. */
  dir: string;
  signal?: AbortSignal;
}

/**
 * Cuts a video's picture into one file per range, by stream copy: each piece
 * is the earlier encode's packets, byte for byte, starting on a keyframe that
 * refers to nothing before it. The cuts ffmpeg made are checked against the
 * ranges, so a video without a keyframe where its layout says is refused, not
 * joined wrong. Returns the pieces in timeline order.
 */
export async function splitPicture(options: SplitOptions): Promise<string[]> {
  const { ffmpeg, file, ranges, fps, dir } = options;
  const cuts = ranges.slice(1).map((range) => range.from);
  const list = join(dir, 'source-pieces.csv');
  const pattern = join(dir, 'source-%04d.mp4');
  const args = ['-i', file, '-map', '0:v', '-c', 'copy', '-f', 'segment', '-reset_timestamps', '1'];
  if (cuts.length > 0) args.push('-segment_frames', cuts.join(','));
  else args.push('-segment_time', '1000000');
  args.push('-segment_list', list, '-segment_list_type', 'csv', pattern);
  await runFfmpeg(ffmpeg, args, options.signal ? { signal: options.signal } : {});
  const made = (await readFile(list, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => line.split(','));
  const offBy = (seconds: string | undefined, frame: number) => Math.abs(Number(seconds) * fps - frame) > 0.25;
  const mismatch = made.length !== ranges.length || made.some(([, start], i) => offBy(start, ranges[i]!.from));
  if (mismatch)
    throw new RenderError({
      errorClass: 'internal',
      code: 'source_layout_mismatch',
      message: `The earlier video splits into ${made.length} pieces where its layout has ${ranges.length} stretches.`,
      retryable: false,
    });
  return made.map(([name]) => join(dir, basename(name!)));
}

/** Copies a video's sound, as it was encoded, to the workspace's soundtrack file (for a join that keeps it). */
export async function copySoundtrack(options: { ffmpeg: string; file: string; dir: string; signal?: AbortSignal }) {
  const output = join(options.dir, SOUNDTRACK_AAC);
  await runFfmpeg(
    options.ffmpeg,
    ['-i', options.file, '-map', '0:a', '-c', 'copy', '-y', output],
    options.signal ? { signal: options.signal } : {},
  );
}
