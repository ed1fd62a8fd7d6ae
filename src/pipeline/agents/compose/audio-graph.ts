import { join } from 'node:path';

/**
 * The soundtrack's part of a render. Music and voice are mixed, ducked and
 * normalised on the samples (mixSoundtrack), encoded to AAC once, and measured
 * as decoded AAC before the video is made; the render then copies that exact
 * stream, so what was measured is what is delivered, on every ffmpeg build.
 */
export const SOUNDTRACK_WAV = 'soundtrack.wav';
export const SOUNDTRACK_AAC = 'soundtrack.m4a';

/** AAC settings of every output. */
export const AAC_ARGS = ['-c:a', 'aac', '-b:a', '160k', '-ar', '44100', '-ac', '2'];

/**
 * ffmpeg arguments that encode the mixed soundtrack in `dir`. A draft (a
 * preview) uses the AAC encoder's fast coder: about a third of the time, at a
 * little less quality; loudness is measured and held the same way.
 */
export function encodeSoundtrackArgs(dir: string, draft = false): string[] {
  return ['-i', join(dir, SOUNDTRACK_WAV), ...AAC_ARGS, ...(draft ? ['-aac_coder', 'fast'] : []), '-f', 'mp4', join(dir, SOUNDTRACK_AAC)];
}

/** The render's audio: the encoded soundtrack, input `inputIndex`, copied as it is. */
export function soundtrackArgs(dir: string, inputIndex: number): { input: string[]; output: string[] } {
  return { input: ['-i', join(dir, SOUNDTRACK_AAC)], output: ['-map', `${inputIndex}:a`, '-c:a', 'copy'] };
}
