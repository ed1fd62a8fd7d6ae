import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DIR = join(import.meta.dirname, '../fixtures/clips');

export type ClipFixture = 'landscape-h264' | 'portrait-rotated-h264' | 'landscape-hevc';

/** A real clip from tests/fixtures/clips (see its LICENSES.md). */
export function clipFixture(name: ClipFixture): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(join(DIR, `${name}.mp4`)));
}

/** The first `fraction` of a real clip whose header comes first: the header promises frames that are not there. */
export function truncatedClip(fraction = 0.5): Uint8Array<ArrayBuffer> {
  const whole = clipFixture('landscape-hevc');
  return whole.slice(0, Math.floor(whole.byteLength * fraction));
}

/** A genuine `ftyp` box followed by pseudo-random junk. */
export function junkAfterHeader(bytes = 256 * 1024): Uint8Array<ArrayBuffer> {
  const real = clipFixture('landscape-h264');
  const ftypSize = new DataView(real.buffer).getUint32(0);
  const out = new Uint8Array(ftypSize + bytes);
  out.set(real.subarray(0, ftypSize));
  let seed = 0x2545f491;
  for (let i = ftypSize; i < out.length; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    out[i] = seed & 0xff;
  }
  return out;
}

/** Where each box keeps its 32-bit duration (version 0 boxes), from the start of its type. */
const DURATION_AT: Record<string, number> = { mvhd: 20, mdhd: 20, tkhd: 24, elst: 12, stts: 16 };

/**
 * Every duration a real clip's header holds (`mvhd`, `tkhd`, `mdhd`, the edit list, and the first run of sample
 * durations in `stts`, which ffmpeg trusts over the others) rewritten to claim weeks.
 */
export function hugeDurationClip(): Uint8Array<ArrayBuffer> {
  const out = clipFixture('landscape-hevc').slice();
  const view = new DataView(out.buffer);
  const text = Buffer.from(out.buffer).toString('latin1');
  for (const [box, offset] of Object.entries(DURATION_AT)) {
    for (let at = text.indexOf(box); at >= 0; at = text.indexOf(box, at + 4)) {
      if (out[at + 4] === 0) view.setUint32(at + offset, 0x7fffffff);
    }
  }
  return out;
}

/** A real H.264 clip wider than 8K (one frame), made with the project's ffmpeg. */
export function oversizedClip(ffmpeg: string): Uint8Array<ArrayBuffer> {
  const dir = mkdtempSync(join(tmpdir(), 'sirtrav-clip-fixture-'));
  try {
    const file = join(dir, 'wide.mp4');
    execFileSync(ffmpeg, [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'color=c=gray:s=9000x16:d=0.1',
      '-frames:v',
      '1',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      file,
    ]);
    return new Uint8Array(readFileSync(file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
