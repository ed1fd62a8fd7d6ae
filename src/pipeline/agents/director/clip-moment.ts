/** How loud a clip is over time: one RMS value per `stepSec`, from its start. */
export interface ClipLoudness {
  stepSec: number;
  rms: number[];
}

/**
 * Where in a clip a shot of `shotSec` starts: the loudest stretch of that length (people laughing, a wave,
 * a cheer), found with a sliding sum; the middle of the clip when it is silent or has no sound; 0 when the
 * clip is no longer than the shot (it then holds its last frame).
 */
export function pickClipStart(clipSec: number, shotSec: number, loudness: ClipLoudness | null): number {
  const room = clipSec - shotSec;
  if (room <= 0) return 0;
  const middle = round3(room / 2);
  if (!loudness || loudness.rms.length === 0) return middle;
  const window = Math.max(1, Math.round(shotSec / loudness.stepSec));
  const lastStart = Math.min(loudness.rms.length - window, Math.floor(room / loudness.stepSec));
  if (lastStart < 0) return middle;
  let sum = loudness.rms.slice(0, window).reduce((a, b) => a + b, 0);
  let best = { at: 0, sum };
  for (let start = 1; start <= lastStart; start++) {
    sum += loudness.rms[start + window - 1]! - loudness.rms[start - 1]!;
    if (sum > best.sum * 1.0001) best = { at: start, sum };
  }
  if (best.sum <= 1e-6) return middle;
  return round3(Math.min(room, best.at * loudness.stepSec));
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;
