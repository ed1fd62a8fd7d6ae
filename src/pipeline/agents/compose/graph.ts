import type { Shot } from '../../../schemas/run.js';

export const FPS = 30;
const ZOOM = 1.2;

export interface GraphInput {
  width: number;
  height: number;
  durationSec: number;
  transitionSec: number;
  shots: Array<Pick<Shot, 'startSec' | 'durationSec' | 'motion'>>;
}

const n = (value: number) => Number(value.toFixed(4)).toString();

/**
 * zoompan expressions for one shot (or a piece of it starting `offset` frames
 * in). `on` is the piece's own output frame number, so p runs from 0 to 1
 * across the whole shot. No commas, so nothing
 * needs escaping in the filter graph.
 */
export function motionExpressions(motion: Shot['motion'], frames: number, offset = 0): { z: string; x: string; y: string } {
  const p = offset > 0 ? `((on+${offset})/${frames})` : `(on/${frames})`;
  const centreX = 'iw/2-iw/zoom/2';
  const centreY = 'ih/2-ih/zoom/2';
  switch (motion) {
    case 'zoom-in':
      return { z: `1+${n(ZOOM - 1)}*${p}`, x: centreX, y: centreY };
    case 'zoom-out':
      return { z: `${n(ZOOM)}-${n(ZOOM - 1)}*${p}`, x: centreX, y: centreY };
    case 'pan-right':
      return { z: n(ZOOM), x: `(iw-iw/zoom)*${p}`, y: centreY };
    case 'pan-left':
      return { z: n(ZOOM), x: `(iw-iw/zoom)*(1-${p})`, y: centreY };
    case 'pan-down':
      return { z: n(ZOOM), x: centreX, y: `(ih-ih/zoom)*${p}` };
    case 'pan-up':
      return { z: n(ZOOM), x: centreX, y: `(ih-ih/zoom)*(1-${p})` };
  }
}

/** Frame spans: shot i covers frames [start, end); neighbours overlap by the transition. */
export function frameSpans(shots: GraphInput['shots']): Array<{ start: number; end: number }> {
  return shots.map((shot) => {
    const start = Math.round(shot.startSec * FPS);
    return { start, end: Math.max(start + 1, Math.round((shot.startSec + shot.durationSec) * FPS)) };
  });
}

/**
 * The whole filter graph. Each shot is cut into head, body and tail, and each
 * piece is rendered by its own zoompan from the one decoded photo (splitting a
 * single still frame costs nothing; splitting a stream of frames would queue
 * them). Only the overlapping tail and head are blended (an alpha fade overlaid
 * on the tail: works on ffmpeg builds without xfade), and the pieces are
 * concatenated, so every frame is rendered once. The picture fades to black at
 * the end. The soundtrack is encoded beforehand and copied (see audio-graph.ts).
 */
export function buildFilterGraph(input: GraphInput): string {
  const { width, height, durationSec: d } = input;
  const spans = frameSpans(input.shots);
  const last = spans.length - 1;
  const overlap = spans.map((span, i) => (i < last ? Math.max(0, span.end - spans[i + 1]!.start) : 0));
  const lines: string[] = [];
  const pieces: string[] = [];
  input.shots.forEach((shot, i) => {
    const frames = spans[i]!.end - spans[i]!.start;
    const head = i > 0 ? overlap[i - 1]! : 0;
    const tail = overlap[i]!;
    const parts = [
      { label: `h${i}`, from: 0, count: head },
      { label: `b${i}`, from: head, count: frames - head - tail },
      { label: `t${i}`, from: frames - tail, count: tail },
    ].filter((part) => part.count > 0);
    const sources = parts.map((part) => `[${part.label}src]`);
    lines.push(parts.length > 1 ? `[${i}:v]split=${parts.length}${sources.join('')}` : `[${i}:v]null${sources[0]}`);
    for (const part of parts) {
      const { z, x, y } = motionExpressions(shot.motion, frames, part.from);
      lines.push(`[${part.label}src]zoompan=z='${z}':x='${x}':y='${y}':d=${part.count}:s=${width}x${height}:fps=${FPS},setsar=1,format=yuv420p[${part.label}]`);
    }
  });
  input.shots.forEach((_, i) => {
    pieces.push(`[b${i}]`);
    if (overlap[i]! > 0) {
      const fade = (overlap[i]! / FPS).toFixed(4);
      lines.push(`[h${i + 1}]format=yuva420p,fade=t=in:st=0:d=${fade}:alpha=1[hf${i}]`);
      lines.push(`[t${i}][hf${i}]overlay=format=yuv420:shortest=1[x${i}]`);
      pieces.push(`[x${i}]`);
    }
  });
  const fadeOut = Math.min(1, d / 4);
  lines.push(`${pieces.join('')}concat=n=${pieces.length}:v=1:a=0,fade=t=out:st=${n(d - fadeOut)}:d=${n(fadeOut)},format=yuv420p[vout]`);

  return lines.join(';\n');
}
