import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const RATE = 8000;
const STEP_SEC = 0.25;

/**
 * A clip's loudness over time (RMS per quarter second) from its sound decoded to 8 kHz mono: cheap next to
 * decoding its pictures, and what the director picks a clip's moment by. Null when it has no sound.
 */
export async function measureClipLoudness(
  ffmpeg: string,
  bytes: Uint8Array,
): Promise<{ stepSec: number; rms: number[] } | null> {
  const dir = await mkdtemp(join(tmpdir(), 'sirtrav-clip-sound-'));
  try {
    const file = join(dir, 'clip');
    await writeFile(file, bytes);
    const { stdout } = await run(
      ffmpeg,
      [
        '-hide_banner',
        '-nostdin',
        '-v',
        'error',
        '-i',
        file,
        '-map',
        '0:a:0?',
        '-vn',
        '-ac',
        '1',
        '-ar',
        `${RATE}`,
      ].concat(['-f', 's16le', '-']),
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 30_000, killSignal: 'SIGKILL' },
    );
    const samples = new Int16Array(stdout.buffer, stdout.byteOffset, Math.floor(stdout.byteLength / 2));
    if (samples.length === 0) return null;
    const step = RATE * STEP_SEC;
    const rms: number[] = [];
    for (let at = 0; at + step <= samples.length; at += step) {
      let sum = 0;
      for (let i = at; i < at + step; i++) sum += (samples[i]! / 32768) ** 2;
      rms.push(Math.sqrt(sum / step));
    }
    return { stepSec: STEP_SEC, rms };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
