import { runFfmpeg } from '../ffmpeg.js';

export interface LoudnessReading {
  integratedLufs: number;
  truePeakDbtp: number;
}

/** Parses the summary `ebur128=peak=true` prints at the end (the same on ffmpeg 4 and 5). */
export function parseEbur128Summary(stderr: string): LoudnessReading | null {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const integrated = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary)?.[1];
  const peak = /True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary)?.[1];
  if (!integrated || !peak) return null;
  const value = (text: string) => (text === '-inf' ? -Infinity : Number(text));
  return { integratedLufs: value(integrated), truePeakDbtp: value(peak) };
}

/** Integrated loudness and true peak of a file's audio as ffmpeg's EBU R128 filter reads it (decoded, as a viewer hears it). */
export async function measureLoudness(ffmpeg: string, file: string, signal?: AbortSignal): Promise<LoudnessReading> {
  const { stderr } = await runFfmpeg(
    ffmpeg,
    ['-i', file, '-map', '0:a', '-af', 'ebur128=peak=true', '-f', 'null', '-'],
    signal ? { signal } : {},
  );
  const reading = parseEbur128Summary(stderr);
  if (!reading) throw new Error(`ebur128 printed no summary: ${stderr.slice(-300)}`);
  return reading;
}
