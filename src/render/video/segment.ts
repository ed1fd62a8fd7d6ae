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
 * audio has no seam at all. With `chaptersFile` (FFMETADATA, see
 * `chaptersMetadata`) the MP4 carries its chapters; nothing is re-encoded.
 */
export function joinArgs(job: {
  dir: string;
  listFile: string;
  durationSec: number;
  output: string;
  chaptersFile?: string | undefined;
}): string[] {
  const chapters = job.chaptersFile ? ['-f', 'ffmetadata', '-i', job.chaptersFile] : [];
  return [
    '-f',
    'concat',
    '-safe',
    '0',
    '-i',
    job.listFile,
    '-i',
    join(job.dir, SOUNDTRACK_AAC),
    ...chapters,
    '-map',
    '0:v',
    '-map',
    '1:a',
    ...(job.chaptersFile ? ['-map_chapters', '2'] : []),
    '-c',
    'copy',
    '-movflags',
    '+faststart',
    '-t',
    job.durationSec.toFixed(3),
    job.output,
  ];
}

/** A value in an FFMETADATA file: `=`, `;`, `#`, `\` and line breaks escaped with a backslash. */
const metadataValue = (text: string) => text.replace(/[=;#\\\n]/g, (ch) => `\\${ch}`);

/**
 * Chapters as an FFMETADATA file (times in milliseconds): each runs until the
 * next begins, the last until the end; one starting at or past the end is left out.
 */
export function chaptersMetadata(chapters: Array<{ startSec: number; title: string }>, durationSec: number): string {
  const end = Math.round(durationSec * 1000);
  const starts = chapters.map((chapter) => Math.round(chapter.startSec * 1000));
  const blocks = chapters.flatMap((chapter, i) => {
    const start = starts[i]!;
    const until = Math.min(end, starts[i + 1] ?? end);
    if (start >= until) return [];
    return [`[CHAPTER]\nTIMEBASE=1/1000\nSTART=${start}\nEND=${until}\ntitle=${metadataValue(chapter.title)}\n`];
  });
  return `;FFMETADATA1\n${blocks.join('')}`;
}

/** The concat demuxer's list: one quoted path per line (a quote in a path is escaped as the demuxer expects). */
export function concatList(files: string[]): string {
  return files.map((file) => `file '${file.replace(/'/g, "'\\''")}'\n`).join('');
}
