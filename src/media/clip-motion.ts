import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The same step as the loudness (clip-loudness.ts), so the two line up value for value. */
const STEP_SEC = 0.25;
const [WIDTH, HEIGHT] = [48, 27];

/**
 * How much a clip's picture moves over time: for each quarter second, the mean absolute change of its luma
 * (0..255) from the quarter second before, on frames shrunk to 48×27 (camera shake and noise fall below a
 * level at that size; a wave, a dancer or a passing ferry do not). Null when it has no picture to read.
 */
export async function measureClipMotion(
  ffmpeg: string,
  bytes: Uint8Array,
): Promise<{ stepSec: number; motion: number[] } | null> {
  const dir = await mkdtemp(join(tmpdir(), 'sirtrav-clip-motion-'));
  try {
    const file = join(dir, 'clip');
    await writeFile(file, bytes);
    const { stdout } = await run(
      ffmpeg,
      [
        ...['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-map', '0:v:0', '-an', '-sn'],
        ...['-vf', `fps=${1 / STEP_SEC},scale=${WIDTH}:${HEIGHT}:flags=area,format=gray`],
        ...['-f', 'rawvideo', '-'],
      ],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 60_000, killSignal: 'SIGKILL' },
    );
    const size = WIDTH * HEIGHT;
    const frames = Math.floor(stdout.byteLength / size);
    if (frames === 0) return null;
    const motion: number[] = [];
    for (let f = 0; f < frames; f++) {
      if (f === 0) {
        motion.push(0);
        continue;
      }
      let sum = 0;
      for (let i = 0; i < size; i++) sum += Math.abs(stdout[f * size + i]! - stdout[(f - 1) * size + i]!);
      motion.push(sum / size);
    }
    // The first step has nothing before it: it moves as much as the next.
    if (motion.length > 1) motion[0] = motion[1]!;
    return { stepSec: STEP_SEC, motion };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
