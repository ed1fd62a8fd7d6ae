import { spawn } from 'node:child_process';
import { x264Args } from '../src/render/video/workspace.js';
import { samplePeakRss } from './rss.js';

/**
 * The floor a render is measured against: x264 alone encoding the render's own frames (decoded from `file`) with the
 * renderer's settings, timed, with its peak RSS.
 */
export async function x264Floor(
  ffmpeg: string,
  file: string,
  frame: Parameters<typeof x264Args>[0],
): Promise<{ sec: number; peakMb: number }> {
  const started = performance.now();
  const floor = spawn(
    ffmpeg,
    ['-hide_banner', '-v', 'error', '-y', '-i', file, '-an', ...x264Args(frame), '-f', 'null', '-'],
    { stdio: 'ignore' },
  );
  const rss = samplePeakRss(floor.pid!);
  const code = await new Promise<number>((done) => floor.on('exit', (exit) => done(exit ?? -1)));
  const peakMb = rss.stop();
  if (code !== 0) throw new Error(`x264 alone ended with ${code}`);
  return { sec: (performance.now() - started) / 1000, peakMb };
}
