import { spawn } from 'node:child_process';
import { PipelineError, RunCancelledError } from '../../errors.js';

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
 * Runs ffmpeg with an argument list (never a shell, so nothing in it is
 * interpreted), reporting progress from `-progress pipe:1` and killing it when
 * the signal aborts.
 */
export function runFfmpeg(ffmpeg: string, args: string[], options: FfmpegRun = {}): Promise<{ stderr: string }> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new RunCancelledError());
    const feed = options.feed;
    const child = spawn(ffmpeg, ['-hide_banner', ...(feed ? [] : ['-nostdin']), '-y', '-progress', 'pipe:1', '-nostats', ...args], { stdio: [feed ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let feedError: unknown = null;
    if (feed && child.stdin) {
      const stdin = child.stdin;
      // An early ffmpeg exit breaks the pipe; the exit code below says why.
      stdin.on('error', () => undefined);
      const write = (bytes: Uint8Array) => new Promise<void>((done, fail) => stdin.write(bytes, (error) => (error ? fail(error) : done())));
      feed(write).then(
        () => stdin.end(),
        (error: unknown) => {
          feedError = error;
          child.kill('SIGKILL');
        },
      );
    }
    let pending = '';
    const onAbort = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        // out_time_ms is in microseconds despite its name (and newer builds add out_time_us).
        const match = /^out_time_(?:ms|us)=(\d+)/.exec(line);
        if (match && options.durationSec && options.onProgress) options.onProgress(Math.min(1, Number(match[1]) / 1e6 / options.durationSec));
      }
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-TAIL_BYTES);
    });
    child.on('error', (error) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.signal?.aborted) return reject(new RunCancelledError());
      if (code === 0) return resolve({ stderr });
      // Killed because rendering the frames failed: that failure is the cause.
      if (feedError && signal === 'SIGKILL') return reject(feedError);
      const error = new PipelineError(signal === 'SIGKILL' ? 'resource' : 'internal', 'ffmpeg_failed', `ffmpeg exited with ${signal ?? `code ${code}`}`, { retryable: signal !== null });
      Object.assign(error, { trace: stderr.trim().split('\n').slice(-15).join('\n') });
      reject(error);
    });
  });
}

export interface ProbedMedia {
  durationSec: number;
  video: { codec: string; width: number; height: number } | null;
  audio: { codec: string } | null;
}

/** Streams and duration from `ffmpeg -i` (ffprobe is not always installed beside it). */
export async function probeMedia(ffmpeg: string, file: string): Promise<ProbedMedia> {
  const stderr = await new Promise<string>((resolve, reject) => {
    const child = spawn(ffmpeg, ['-hide_banner', '-nostdin', '-i', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let out = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
  const duration = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(stderr);
  const video = /Stream #\d+:\d+.*?: Video: (\w+).*?, (\d{2,5})x(\d{2,5})/.exec(stderr);
  const audio = /Stream #\d+:\d+.*?: Audio: (\w+)/.exec(stderr);
  return {
    durationSec: duration ? Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]) : 0,
    video: video ? { codec: video[1]!, width: Number(video[2]), height: Number(video[3]) } : null,
    audio: audio ? { codec: audio[1]! } : null,
  };
}
