import type { Transition } from '../../schemas/run.js';
import { RenderCancelledError } from '../errors.js';
import { blendOverlay, type Overlay } from './overlay.js';
import { allocPlanes, planesBytes, type Planes } from './planes.js';
import { transitionWindows } from './transition-geometry.js';
import { combine, dim } from './transitions.js';
import { warp, type Window } from './warp.js';

/** A shot's picture, loaded when its first frame is drawn. */
export interface LoadedShot {
  canvas: Planes;
  caption: Overlay | null;
  /** The window on the canvas at each of the shot's frames (0-based within the shot). */
  path: (index: number) => Window;
  /** Redraws the canvas for one of the shot's frames, for a picture that changes (a map's growing route). */
  animate?: (index: number) => void;
  /** A clip: puts its picture at the shot's frame `index` into `canvas` before that frame is drawn. */
  advance?: (index: number) => Promise<void>;
  /** Frees what the shot holds (a clip's decoder) once its frames are drawn. */
  close?: () => void;
}

/** One shot, as the frame renderer needs it: its frames, and a loader for its picture. */
export interface FrameShot {
  /** First frame and one past the last; neighbours overlap by the transition. */
  start: number;
  end: number;
  load: () => Promise<LoadedShot>;
}

export interface FramePlan {
  width: number;
  height: number;
  fps: number;
  totalFrames: number;
  transition: Transition;
  shots: FrameShot[];
  title: Overlay | null;
}

/** Frames in flight to the encoder: one being rendered while two are written. */
const POOL = 3;

/** Opacity of a text shown over frames [from, to) with fades of `fade` frames. */
export function textOpacity(frame: number, from: number, to: number, fade: number): number {
  if (frame < from || frame >= to) return 0;
  return Math.min(1, (frame - from + 1) / fade, (to - frame) / fade);
}

/** When the title shows: from 0.2 s to 3.5 s, inside the first shot before its transition. */
export function titleSpan(plan: { fps: number; shots: Array<Pick<FrameShot, 'start' | 'end'>> }): {
  from: number;
  to: number;
} {
  const first = plan.shots[0]!;
  const next = plan.shots[1];
  const end = Math.min(first.end, next ? next.start : first.end);
  return {
    from: Math.round(0.2 * plan.fps),
    to: Math.max(
      Math.round(0.2 * plan.fps) + 1,
      Math.min(Math.round(3.5 * plan.fps), end - Math.round(0.2 * plan.fps)),
    ),
  };
}

/** When a shot's caption shows: after the transition into it and the title, until the transition out. */
function captionSpan(plan: FramePlan, index: number, titleEnd: number): { from: number; to: number } {
  const shot = plan.shots[index]!;
  const previous = plan.shots[index - 1];
  const next = plan.shots[index + 1];
  const from =
    Math.max(previous ? previous.end : shot.start, plan.title && index === 0 ? titleEnd : 0) +
    Math.round(0.2 * plan.fps);
  return { from, to: (next ? next.start : shot.end) - Math.round(0.1 * plan.fps) };
}

/**
 * Renders every frame of the video into yuv420p and hands each to `write`
 * (which resolves once the bytes are taken). Frames are drawn one at a time with
 * an await between them, so the process keeps serving requests. At most two
 * shots' canvases are held at once. A `range` renders only frames [from, to):
 * every frame depends on its number alone, so any range matches the same
 * frames of a whole render.
 */
export async function renderFrames(
  plan: FramePlan,
  write: (bytes: Uint8Array) => Promise<void>,
  signal?: AbortSignal,
  range: { from: number; to: number } = { from: 0, to: plan.totalFrames },
): Promise<void> {
  const { width, height } = plan;
  const pool = Array.from({ length: POOL }, () => allocPlanes(width, height));
  const a = allocPlanes(width, height);
  const b = allocPlanes(width, height);
  const loaded = new Map<number, LoadedShot>();
  const pending: Array<Promise<void>> = [];
  const fade = Math.round(0.4 * plan.fps);
  const fadeOut = Math.round(Math.min(1, plan.totalFrames / plan.fps / 4) * plan.fps);
  const title = titleSpan(plan);
  let first = 0;
  try {
    for (let n = range.from; n < range.to; n++) {
      if (signal?.aborted) throw new RenderCancelledError();
      while (first < plan.shots.length - 1 && plan.shots[first]!.end <= n) {
        loaded.get(first)?.close?.();
        loaded.delete(first++);
      }
      await drawFrame(n);
    }
    await Promise.all(pending);
  } finally {
    for (const shot of loaded.values()) shot.close?.();
  }

  async function drawFrame(n: number): Promise<void> {
    const active: number[] = [];
    for (let i = first; i < plan.shots.length && plan.shots[i]!.start <= n; i++)
      if (n < plan.shots[i]!.end || i === plan.shots.length - 1) active.push(i);
    for (const i of active) if (!loaded.has(i)) loaded.set(i, await plan.shots[i]!.load());
    const at = (i: number) => Math.min(n - plan.shots[i]!.start, plan.shots[i]!.end - plan.shots[i]!.start - 1);
    for (const i of active) await loaded.get(i)!.advance?.(at(i));

    const out = pool[n % POOL]!;
    if (pending.length >= POOL - 1) await pending.shift();
    if (active.length >= 2) {
      const [i, j] = [active[0]!, active[1]!];
      const t = (n - plan.shots[j]!.start + 0.5) / (plan.shots[i]!.end - plan.shots[j]!.start);
      const [wa, wb] = transitionWindows(plan.transition, t, loaded.get(i)!.path(at(i)), loaded.get(j)!.path(at(j)));
      loaded.get(i)!.animate?.(at(i));
      warp(loaded.get(i)!.canvas, a, wa);
      loaded.get(j)!.animate?.(at(j));
      warp(loaded.get(j)!.canvas, b, wb);
      combine(plan.transition, a, b, out, t);
    } else {
      const i = active[0] ?? plan.shots.length - 1;
      const shot = loaded.get(i)!;
      shot.animate?.(at(i));
      warp(shot.canvas, out, shot.path(at(i)));
    }
    if (plan.title) blendOverlay(out, plan.title, textOpacity(n, title.from, title.to, fade));
    for (const i of active) {
      const caption = loaded.get(i)!.caption;
      if (!caption) continue;
      const span = captionSpan(plan, i, title.to);
      blendOverlay(out, caption, textOpacity(n, span.from, span.to, fade));
    }
    if (n >= plan.totalFrames - fadeOut) dim(out, (plan.totalFrames - 1 - n) / fadeOut);
    const written = write(planesBytes(out));
    // Awaited below or on a later frame; if the render stops first (a cancel), its failure must not go unhandled.
    written.catch(() => undefined);
    pending.push(written);
    // Let other work (HTTP, progress events) run between frames.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
