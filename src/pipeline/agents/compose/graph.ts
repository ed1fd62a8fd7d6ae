import type { Shot } from '../../../schemas/run.js';
import { buildAudioGraph, type AudioGraphInput } from './audio-graph.js';

export const FPS = 30;

export type GraphInput = AudioGraphInput;

/** Frame spans: shot i covers frames [start, end); neighbours overlap by the transition. */
export function frameSpans(shots: Array<Pick<Shot, 'startSec' | 'durationSec'>>): Array<{ start: number; end: number }> {
  return shots.map((shot) => {
    const start = Math.round(shot.startSec * FPS);
    return { start, end: Math.max(start + 1, Math.round((shot.startSec + shot.durationSec) * FPS)) };
  });
}

/**
 * ffmpeg's filter graph. The picture is drawn frame by frame in-process
 * (sub-pixel motion, transitions, text: see render-frames.ts) and reaches
 * ffmpeg on its standard input already in BT.709 yuv420p, so the graph only
 * makes the soundtrack, ending in [aout].
 */
export function buildFilterGraph(input: GraphInput): string {
  return buildAudioGraph(input).join(';\n');
}
