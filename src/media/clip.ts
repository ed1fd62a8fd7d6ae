import { execFile } from 'node:child_process';
import { fileTypeFromBuffer } from 'file-type';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../errors.js';
import { CLIP_TYPES, MAX_CLIP_BYTES, MAX_CLIP_SEC, type ClipType } from '../schemas/media.js';
import { parseClipReport, type ClipProbe } from '../render/video/clip-report.js';
import { clipTakenAt, parseIso6709 } from './clip-probe.js';
import { cleanContentId, type ExifFacts } from './exif.js';
import { findFfmpeg } from './find-ffmpeg.js';

export interface ClipFacts extends ExifFacts {
  contentType: ClipType;
  /** As displayed, after the display matrix rotation. */
  width: number;
  height: number;
  durationSec: number;
}

/** Longest side a clip may have (8K), and the most pixels a frame may hold. */
const MAX_SIDE = 8192;
const MAX_FRAME_PIXELS = 8192 * 4320;
/**
 * Each ffmpeg run gets this long and is then killed (SIGKILL): a hostile container must not hold a function.
 * A bad file is refused at ffmpeg's first error (`-xerror`), in a few hundred milliseconds; a valid clip's
 * header is read in tens of milliseconds and its check decode takes about 0.15 s. The limits only stop a stuck
 * demuxer or decoder, and leave room for a busy machine, where a spawn alone can take a second.
 */
const PROBE_TIMEOUT_MS = 3000;
const DECODE_TIMEOUT_MS = 5000;
const CODECS = new Set(['h264', 'hevc']);

const refuse = (code: string, message: string) => new AppError(422, code, message);
const unsupported = (message: string) => new AppError(415, 'unsupported_media_type', message);

/** MP4 or MOV by the bytes' `ftyp` brands (HEIC and AVIF are `ftyp` too, with image brands), else null. */
export async function sniffClipType(bytes: Uint8Array): Promise<ClipType | null> {
  const found = await fileTypeFromBuffer(bytes.subarray(0, 4100));
  return found && (CLIP_TYPES as readonly string[]).includes(found.mime) ? (found.mime as ClipType) : null;
}

interface Bounded {
  stderr: string;
  exitCode: number;
  timedOut: boolean;
}

/** Runs ffmpeg, killed (SIGKILL) after `timeoutMs`; never throws for a non-zero exit. */
function runBounded(ffmpeg: string, args: string[], timeoutMs: number): Promise<Bounded> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      ffmpeg,
      ['-hide_banner', '-nostdin', ...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024, encoding: 'utf8' },
      (error, _stdout, stderr) => {
        if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') return reject(error);
        const killed = error?.killed === true || child.signalCode === 'SIGKILL';
        resolve({ stderr, exitCode: child.exitCode ?? -1, timedOut: killed });
      },
    );
  });
}

function checkLimits(probe: ClipProbe): NonNullable<ClipProbe['video']> {
  const video = probe.video;
  if (!video)
    throw refuse('clip_unreadable', 'The clip has no readable video stream; the file is damaged or incomplete.');
  if (!CODECS.has(video.codec)) throw unsupported(`Clips must be H.264 or HEVC; this one is ${video.codec}.`);
  if (!(
    video.width >= 16 &&
    video.height >= 16 &&
    Math.max(video.width, video.height) <= MAX_SIDE &&
    video.width * video.height <= MAX_FRAME_PIXELS
  ))
    throw refuse(
      'clip_too_large',
      `The clip is ${video.width}×${video.height}; at most 8K (${MAX_SIDE} pixels a side) is accepted.`,
    );
  if (!(probe.durationSec > 0))
    throw refuse('clip_unreadable', 'The clip has no duration; the file is damaged or incomplete.');
  if (probe.durationSec > MAX_CLIP_SEC + 0.5)
    throw refuse(
      'clip_too_long',
      `The clip lasts ${Math.round(probe.durationSec)} s; at most ${MAX_CLIP_SEC} s is accepted.`,
    );
  return video;
}

const undecodable = () => refuse('clip_undecodable', 'The clip cannot be decoded; the file is truncated or corrupt.');

/**
 * One run reads the header (its report) and every packet without decoding any (fast, even for a minute of 4K):
 * a truncated or corrupt file fails here, in the one process a refusal costs.
 */
async function readPackets(ffmpeg: string, file: string): Promise<{ probe: ClipProbe; whole: boolean }> {
  const run = await runBounded(
    ffmpeg,
    ['-xerror', '-i', file, '-map', '0', '-c', 'copy', '-f', 'null', '-'],
    PROBE_TIMEOUT_MS,
  );
  if (run.timedOut) throw refuse('clip_unreadable', 'The clip could not be read in time; the file is damaged.');
  return { probe: parseClipReport(run.stderr), whole: run.exitCode === 0 };
}

/** Decodes the first frames, once the header's sizes are known to be sane. */
async function decodeCheck(ffmpeg: string, file: string): Promise<void> {
  const run = await runBounded(
    ffmpeg,
    ['-v', 'error', '-xerror', '-threads', '1', '-i', file, '-map', '0:v:0', '-frames:v', '2', '-f', 'null', '-'],
    DECODE_TIMEOUT_MS,
  );
  if (run.timedOut || run.exitCode !== 0 || run.stderr.trim() !== '') throw undecodable();
}

/**
 * Checks a clip sniffed as MP4 or MOV fully: a readable header within the time limit, H.264 or HEVC, at most
 * 60 s and 8K, frames that decode at both ends. Reads its rotation, creation time and location (for when and
 * where it was taken). Nothing is stored here.
 */
export async function inspectClip(bytes: Uint8Array, contentType: ClipType): Promise<ClipFacts> {
  if (bytes.byteLength > MAX_CLIP_BYTES)
    throw new AppError(413, 'payload_too_large', `A clip may be at most ${MAX_CLIP_BYTES} bytes.`);
  const ffmpeg = (await findFfmpeg())?.path;
  if (!ffmpeg) throw new AppError(503, 'clips_unavailable', 'Clips cannot be checked here: ffmpeg is not installed.');
  const dir = await mkdtemp(join(tmpdir(), 'sirtrav-clip-'));
  try {
    const file = join(dir, contentType === 'video/quicktime' ? 'clip.mov' : 'clip.mp4');
    await writeFile(file, bytes);
    const { probe, whole } = await readPackets(ffmpeg, file);
    const video = checkLimits(probe);
    if (!whole) throw undecodable();
    await decodeCheck(ffmpeg, file);
    const turned = probe.rotation % 180 !== 0;
    const make = probe.tags['com.apple.quicktime.make'] ?? probe.tags['make'] ?? null;
    const model = probe.tags['com.apple.quicktime.model'] ?? probe.tags['model'] ?? null;
    return {
      contentType,
      width: turned ? video.height : video.width,
      height: turned ? video.width : video.height,
      durationSec: Math.round(probe.durationSec * 1000) / 1000,
      takenAt: clipTakenAt(probe.tags),
      gps: parseIso6709(probe.tags['com.apple.quicktime.location.iso6709'] ?? probe.tags['location']),
      camera: make || model ? { make: make?.slice(0, 64) ?? null, model: model?.slice(0, 64) ?? null } : null,
      orientation: 1,
      contentId: cleanContentId(probe.tags['com.apple.quicktime.content.identifier']),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
