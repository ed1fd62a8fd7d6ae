import type { CaptionCue } from '../schemas/captions.js';

/** `HH:MM:SS` and milliseconds, for both formats (WebVTT separates them with `.`, SRT with `,`). */
function timestamp(sec: number, separator: '.' | ','): string {
  const ms = Math.max(0, Math.round(sec * 1000));
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor(ms / 60_000) % 60;
  const seconds = Math.floor(ms / 1000) % 60;
  return `${pad(hours)}:${pad(minutes)}:${pad(seconds)}${separator}${pad(ms % 1000, 3)}`;
}

/** Cue text may not hold `&`, `<` or `>` raw in WebVTT (W3C WebVTT, "cue text"); a line break would end the cue. */
const escapeVttText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** A WebVTT file: the header, then one numbered cue per caption. A run without narration gets the header alone. */
export function toWebVtt(cues: CaptionCue[]): string {
  const blocks = cues.map(
    (cue, i) =>
      `${i + 1}\n${timestamp(cue.startSec, '.')} --> ${timestamp(cue.endSec, '.')}\n${escapeVttText(oneLine(cue.text))}`,
  );
  return ['WEBVTT', ...blocks].join('\n\n') + '\n';
}

/** A SubRip file: cues numbered from 1, `HH:MM:SS,mmm`, blank-line separated (an empty file without narration). */
export function toSrt(cues: CaptionCue[]): string {
  return cues
    .map(
      (cue, i) => `${i + 1}\n${timestamp(cue.startSec, ',')} --> ${timestamp(cue.endSec, ',')}\n${oneLine(cue.text)}\n`,
    )
    .join('\n');
}

export const WEBVTT_TYPE = 'text/vtt; charset=utf-8';
export const SRT_TYPE = 'application/x-subrip; charset=utf-8';
