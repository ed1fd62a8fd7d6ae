import { RenderCancelledError, RenderError } from './errors.js';
import { spawn } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { spawnSupervised, stopSupervised, toolExit, type SupervisedProcess } from './supervised.js';

export interface FfmpegRun {
  /** Expected output length, to turn ffmpeg's out_time into a fraction. */
  durationSec?: number;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  /** Writes ffmpeg's standard input (raw frames); `write` resolves once ffmpeg has taken the bytes. */
  feed?: (write: (bytes: Uint8Array) => Promise<void>) => Promise<void>;
}

const TAIL_BYTES = 4000;

/**
 * How much lower an encoder fed from this process runs. The frames are drawn
 * on this process's one thread while x264 runs several: at equal priority they
 * take most of the cores and starve the drawing, which then paces the whole render.
 */
const FED_ENCODER_NICENESS = 5;

function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, Math.min(19, getPriority() + FED_ENCODER_NICENESS));
  } catch {
    // Not permitted here: the encoder keeps this process's priority.
  }
}

/** What `spawn` reports for a missing binary, so classifyError sees a missing tool. */
function missingTool(ffmpeg: string): Error {
  return Object.assign(new Error(`spawn ${ffmpeg} ENOENT`), { code: 'ENOENT' });
}

/**
 * Runs ffmpeg with an argument list (never a shell, so nothing in it is
 * interpreted), reporting progress from `-progress pipe:1` and killing it when
 * the signal aborts. It runs under a supervisor, so it dies with this process
 * (see supervised.ts).
 */
export function runFfmpeg(ffmpeg: string, args: string[], options: FfmpegRun = {}): Promise<{ stderr: string }> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new RenderCancelledError());
    const feed = options.feed;
    // Fed from this process, ffmpeg reads its input from a pipe that closes when this process dies, and then it
    // ends by itself; otherwise the supervisor holds that pipe (see supervised.ts).
    const child: SupervisedProcess = feed
      ? spawn(ffmpeg, ['-hide_banner', '-y', '-progress', 'pipe:1', '-nostats', ...args], {
          stdio: ['pipe', 'pipe', 'pipe'],
        })
      : spawnSupervised(ffmpeg, ['-hide_banner', '-nostdin', '-y', '-progress', 'pipe:1', '-nostats', ...args]);
    let stderr = '';
    let feedError: unknown = null;
    if (feed) lowerPriority(child.pid);
    if (feed && child.stdin) {
      const stdin = child.stdin;
      // An early ffmpeg exit breaks the pipe; the exit code below says why.
      stdin.on('error', () => undefined);
      const write = (bytes: Uint8Array) =>
        new Promise<void>((done, fail) => stdin.write(bytes, (error) => (error ? fail(error) : done())));
      feed(write).then(
        () => stdin.end(),
        (error: unknown) => {
          feedError = error;
          child.kill('SIGKILL');
        },
      );
    }
    let pending = '';
    const onAbort = () => (feed ? child.kill('SIGKILL') : stopSupervised(child));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        // out_time_ms is in microseconds despite its name (and newer builds add out_time_us).
        const match = /^out_time_(?:ms|us)=(\d+)/.exec(line);
        if (match && options.durationSec && options.onProgress)
          options.onProgress(Math.min(1, Number(match[1]) / 1e6 / options.durationSec));
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-TAIL_BYTES);
    });
    child.on('error', (error) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (exitCode, exitSignal) => {
      options.signal?.removeEventListener('abort', onAbort);
      child.stdin.destroy();
      if (options.signal?.aborted) return reject(new RenderCancelledError());
      const { code, signal, missing } = toolExit(exitCode, exitSignal);
      if (code === 0) return resolve({ stderr });
      if (missing) return reject(missingTool(ffmpeg));
      // Killed because rendering the frames failed: that failure is the cause.
      if (feedError && signal === 'SIGKILL') return reject(feedError);
      const error = new RenderError({
        errorClass: signal === 'SIGKILL' ? 'resource' : 'internal',
        code: 'ffmpeg_failed',
        message: `ffmpeg exited with ${signal ?? `code ${code}`}`,
        retryable: signal !== null,
        trace: stderr.trim().split('\n').slice(-15).join('\n'),
      });
      reject(error);
    });
  });
}

export interface ProbedMedia {
  durationSec: number;
  video: { codec: string; width: number; height: number } | null;
  audio: { codec: string } | null;
}

/** What `ffmpeg -i` reports of a file (ffprobe is not always installed beside it). */
export function probeReport(ffmpeg: string, file: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const child = spawnSupervised(ffmpeg, ['-hide_banner', '-nostdin', '-i', file]);
    let out = '';
    child.stdout.resume();
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (exitCode, exitSignal) => {
      child.stdin.destroy();
      if (toolExit(exitCode, exitSignal).missing) reject(missingTool(ffmpeg));
      else resolve(out);
    });
  });
}

/** Streams and duration from `ffmpeg -i`. */
export async function probeMedia(ffmpeg: string, file: string): Promise<ProbedMedia> {
  const stderr = await probeReport(ffmpeg, file);
  const duration = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(stderr);
  const video = /Stream #\d+:\d+.*?: Video: (\w+).*?, (\d{2,5})x(\d{2,5})/.exec(stderr);
  const audio = /Stream #\d+:\d+.*?: Audio: (\w+)/.exec(stderr);
  return {
    durationSec: duration ? Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]) : 0,
    video: video ? { codec: video[1]!, width: Number(video[2]), height: Number(video[3]) } : null,
    audio: audio ? { codec: audio[1]! } : null,
  };
}

/** Runs ffmpeg and returns what it wrote to stdout (raw PCM, say); killed when the signal aborts. */
export function runFfmpegToBuffer(ffmpeg: string, args: string[], signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new RenderCancelledError());
    const child = spawnSupervised(ffmpeg, ['-hide_banner', '-nostdin', ...args]);
    const chunks: Buffer[] = [];
    let stderr = '';
    const onAbort = () => stopSupervised(child);
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-TAIL_BYTES)));
    child.on('error', reject);
    child.on('close', (exitCode, exitSignal) => {
      signal?.removeEventListener('abort', onAbort);
      child.stdin.destroy();
      if (signal?.aborted) return reject(new RenderCancelledError());
      const { code, missing } = toolExit(exitCode, exitSignal);
      if (missing) return reject(missingTool(ffmpeg));
      if (code !== 0)
        return reject(
          new RenderError({
            errorClass: 'internal',
            code: 'ffmpeg_failed',
            message: `ffmpeg exited with code ${code}`,
            retryable: false,
            trace: stderr.trim().split('\n').slice(-15).join('\n'),
          }),
        );
      resolve(Buffer.concat(chunks));
    });
  });
}
