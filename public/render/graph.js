// Made by `npm run build:page` from src/render/graph.ts: edit that file, then run it again.
export const FPS = 30;
/** A storyboard's frame rate: 30 unless it says otherwise (a preview is drawn at 15). */
export const fpsOf = (storyboard) => storyboard.fps ?? FPS;
/** Frames in a storyboard's timeline. */
export const totalFramesOf = (storyboard) => Math.round(storyboard.durationSec * fpsOf(storyboard));
/**
 * Frame spans: shot i covers frames [start, end); neighbours overlap by the
 * transition. The picture is drawn frame by frame in-process (render-frames.ts)
 * and the soundtrack is mixed and encoded before the render (audio-graph.ts),
 * so ffmpeg only encodes.
 */
export function frameSpans(shots, fps = FPS) {
  return shots.map((shot) => {
    const start = Math.round(shot.startSec * fps);
    return { start, end: Math.max(start + 1, Math.round((shot.startSec + shot.durationSec) * fps)) };
  });
}
/**
 * Each shot's body: the frames where it is on screen alone, between the
 * transition into it and the one out of it. The last shot's body runs to the end.
 */
export function shotBodies(spans, totalFrames) {
  return spans.map((span, i) => ({
    from: Math.max(span.start, spans[i - 1]?.end ?? 0),
    to: i === spans.length - 1 ? totalFrames : Math.min(span.end, spans[i + 1].start),
  }));
}
