import type { Shot } from '../../../schemas/run.js';

export const FPS = 30;

/**
 * Frame spans: shot i covers frames [start, end); neighbours overlap by the
 * transition. The picture is drawn frame by frame in-process (render-frames.ts)
 * and the soundtrack is mixed and encoded before the render (audio-graph.ts),
 * so ffmpeg only encodes.
 */
export function frameSpans(shots: Array<Pick<Shot, 'startSec' | 'durationSec'>>): Array<{ start: number; end: number }> {
  return shots.map((shot) => {
    const start = Math.round(shot.startSec * FPS);
    return { start, end: Math.max(start + 1, Math.round((shot.startSec + shot.durationSec) * FPS)) };
  });
}
