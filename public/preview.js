// The live preview: a storyboard played on a <canvas> in the browser, before any frame is encoded. Each photo moves
// as the video moves it and passes to the next as the video does (motionPath, cropRect, frameSpans and the transitions'
// geometry are the renderer's own, see scripts/page-modules.ts), with the title, the narration as captions, and the voice and music <audio> elements as the clock.
import { frameSpans } from './render/graph.js';
import { canvasSize, CENTRE, cropRect, shotCanvasSize } from './render/crop.js';
import { motionPath } from './render/motion.js';
import { blendWeight, slideOffset, transitionWindows, wipeWeight } from './render/transition-geometry.js';

/** The preview's long side: enough to judge a plan, light enough for a phone. */
const LONG_SIDE = 640;
const even = (value) => Math.max(2, Math.round(value / 2) * 2);

/** A shot's canvas as the renderer prepares it: cropped around the focus, or whole over a blurred fill. */
function shotCanvas(image, shot, size) {
  const canvas = document.createElement('canvas');
  Object.assign(canvas, size);
  const context = canvas.getContext('2d');
  const photo = { width: image.naturalWidth, height: image.naturalHeight };
  const focus = shot.focus ?? CENTRE;
  if (shot.framing === 'fill') {
    context.filter = `blur(${Math.max(8, size.width / 48)}px) brightness(0.55) saturate(0.8)`;
    context.drawImage(image, -size.width * 0.05, -size.height * 0.05, size.width * 1.1, size.height * 1.1);
    context.filter = 'none';
    const scale = Math.min(size.width / photo.width, size.height / photo.height);
    const inner = { width: photo.width * scale, height: photo.height * scale };
    const left = (size.width - inner.width) / 2;
    const top = (size.height - inner.height) / 2;
    context.drawImage(image, left, top, inner.width, inner.height);
    const box = { left: left + focus.x * inner.width, top: top + focus.y * inner.height };
    return { canvas, focus: { ...box, width: focus.width * inner.width, height: focus.height * inner.height } };
  }
  const rect = cropRect(photo, size, focus);
  context.drawImage(image, rect.left, rect.top, rect.width, rect.height, 0, 0, size.width, size.height);
  const scale = size.width / rect.width;
  return {
    canvas,
    focus: {
      left: focus.x * photo.width * scale - rect.left * scale,
      top: focus.y * photo.height * scale - rect.top * scale,
      width: focus.width * photo.width * scale,
      height: focus.height * photo.height * scale,
    },
  };
}

/** A portrait pair as the renderer prepares it: each photo cropped to its half around its subject, a dark line between. */
function pairCanvas(left, right, shot, size) {
  const canvas = document.createElement('canvas');
  Object.assign(canvas, size);
  const context = canvas.getContext('2d');
  context.fillStyle = '#0c0c0c';
  context.fillRect(0, 0, size.width, size.height);
  const gap = Math.max(2, Math.round(size.width * 0.01));
  const leftWidth = Math.floor((size.width - gap) / 2);
  const halves = [
    { image: left, focus: shot.focus ?? CENTRE, x: 0, width: leftWidth },
    { image: right, focus: shot.pair.focus ?? CENTRE, x: leftWidth + gap, width: size.width - leftWidth - gap },
  ];
  const boxes = halves.map(({ image, focus, x, width }) => {
    const photo = { width: image.naturalWidth, height: image.naturalHeight };
    const rect = cropRect(photo, { width, height: size.height }, focus);
    context.drawImage(image, rect.left, rect.top, rect.width, rect.height, x, 0, width, size.height);
    const scale = width / rect.width;
    return {
      left: x + (focus.x * photo.width - rect.left) * scale,
      top: (focus.y * photo.height - rect.top) * scale,
      right: x + ((focus.x + focus.width) * photo.width - rect.left) * scale,
      bottom: ((focus.y + focus.height) * photo.height - rect.top) * scale,
    };
  });
  // The motion keeps both subjects in frame, as the renderer's does.
  const [a, b] = boxes;
  const box = { left: Math.min(a.left, b.left), top: Math.min(a.top, b.top) };
  const focus = {
    ...box,
    width: Math.max(a.right, b.right) - box.left,
    height: Math.max(a.bottom, b.bottom) - box.top,
  };
  return { canvas, focus };
}

/**
 * A map shot's canvas, sketched: the route through its places over a plain sea, as far along as the video draws it
 * at the shot's end. The video draws the land from its bundled outlines; the preview shows only where the route goes.
 */
function mapCanvas(map, size) {
  const canvas = document.createElement('canvas');
  Object.assign(canvas, size);
  const context = canvas.getContext('2d');
  context.fillStyle = '#1d3557';
  context.fillRect(0, 0, size.width, size.height);
  const { west, east, south, north } = map.bounds;
  const at = (place) => [
    ((place.lon - west) / Math.max(1e-6, east - west)) * size.width,
    ((north - place.lat) / Math.max(1e-6, north - south)) * size.height,
  ];
  const short = Math.min(size.width, size.height);
  context.strokeStyle = '#f4a261';
  context.lineWidth = Math.max(2, short * 0.012);
  context.beginPath();
  map.places.forEach((place, i) => (i === 0 ? context.moveTo(...at(place)) : context.lineTo(...at(place))));
  context.stroke();
  context.fillStyle = '#ffffff';
  context.font = `bold ${Math.round(short * 0.05)}px sans-serif`;
  for (const place of map.places) {
    const [x, y] = at(place);
    context.beginPath();
    context.arc(x, y, Math.max(3, short * 0.015), 0, Math.PI * 2);
    context.fill();
    context.fillText(place.name, x + short * 0.03, y + short * 0.015);
  }
  return { canvas, focus: null };
}

/** A clip shot in the preview: a card with its place, as the clip itself plays only in the video. */
function clipCard(shot, size) {
  const canvas = document.createElement('canvas');
  Object.assign(canvas, size);
  const context = canvas.getContext('2d');
  context.fillStyle = '#222';
  context.fillRect(0, 0, size.width, size.height);
  context.fillStyle = '#fff';
  context.font = `bold ${Math.round(Math.min(size.width, size.height) * 0.07)}px sans-serif`;
  context.textAlign = 'center';
  context.fillText(`▶ Clip${shot.place ? ` · ${shot.place}` : ''}`, size.width / 2, size.height / 2);
  return { canvas, focus: null };
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('a photo preview did not load'));
    image.src = url;
  });
}

/** Opacity of a text shown from `from` to `to` seconds, faded in and out over `fade` (render-frames.ts, textOpacity). */
function textOpacity(t, from, to, fade) {
  if (t < from || t >= to) return 0;
  return Math.min(1, (t - from) / fade, (to - t) / fade);
}

function drawText(context, text, { y, size, alpha, width }) {
  if (!text || alpha <= 0) return;
  context.save();
  context.globalAlpha = alpha;
  context.font = `600 ${size}px system-ui, sans-serif`;
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.fillStyle = '#fff';
  context.shadowColor = 'rgba(0, 0, 0, 0.7)';
  context.shadowBlur = size / 3;
  const words = text.split(/\s+/);
  const lines = [];
  for (const word of words) {
    const last = lines.at(-1);
    if (last !== undefined && context.measureText(`${last} ${word}`).width <= width * 0.86)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  lines.forEach((line, i) => context.fillText(line, width / 2, y + (i - (lines.length - 1) / 2) * size * 1.2));
  context.restore();
}

/**
 * A player for `storyboard` on `canvas`: `photoUrl(mediaId)` gives each photo's preview. The music element is the
 * clock (the voice follows it); without audio a wall clock stands in.
 */
export async function createPreview({ canvas, storyboard, photoUrl, voice, music, onTime, onEnded }) {
  const scale = LONG_SIDE / Math.max(storyboard.width, storyboard.height);
  const frame = { width: even(storyboard.width * scale), height: even(storyboard.height * scale) };
  Object.assign(canvas, frame);
  const context = canvas.getContext('2d');
  const fps = storyboard.fps ?? 30;
  const spans = frameSpans(storyboard.shots, fps);
  const size = canvasSize(frame);
  const images = await Promise.all(
    // A clip has no still to show here: it is drawn as a card naming it.
    storyboard.shots.map(async (shot) =>
      shot.mediaId && shot.kind !== 'clip' ? loadImage(await photoUrl(shot.mediaId)) : null,
    ),
  );
  const pairs = await Promise.all(
    storyboard.shots.map(async (shot) => (shot.pair ? loadImage(await photoUrl(shot.pair.mediaId)) : null)),
  );
  const shots = storyboard.shots.map((shot, i) => {
    const image = images[i];
    const photo = image ? { width: image.naturalWidth, height: image.naturalHeight } : size;
    // The renderer's canvas for this shot: wider than the frame where it pans across a wide photo.
    const shotSize = shot.map ? size : shotCanvasSize(frame, photo, shot);
    const prepared = shot.map
      ? mapCanvas(shot.map, shotSize)
      : image && pairs[i]
        ? pairCanvas(image, pairs[i], shot, shotSize)
        : image
          ? shotCanvas(image, shot, shotSize)
          : clipCard(shot, shotSize);
    const frames = spans[i].end - spans[i].start;
    return {
      ...spans[i],
      canvas: prepared.canvas,
      path: motionPath(shot.motion, shotSize, frame, prepared.focus, frames),
    };
  });
  const lines = storyboard.narration.enabled ? (storyboard.narration.segments ?? []) : [];
  const duration = storyboard.durationSec;
  const titleEnd = Math.min(3.5, (shots[1]?.start ?? shots[0].end) / fps - 0.2);
  let started = 0;
  let playing = false;
  // The music is the clock while it plays; a wall clock when there is none, or the browser refuses to play it.
  let audioClock = Boolean(music.src);

  const clock = () => (audioClock ? music.currentTime : (performance.now() - started) / 1000);

  /** Shot `index` at frame `n` through `window` (its motion's, or the transition's), at `x` across the frame. */
  function drawShot(index, window, { alpha = 1, x = 0, into = context } = {}) {
    into.globalAlpha = alpha;
    into.drawImage(
      shots[index].canvas,
      window.left,
      window.top,
      window.width,
      window.height,
      x,
      0,
      frame.width,
      frame.height,
    );
    into.globalAlpha = 1;
  }

  const windowAt = (index, n) => {
    const shot = shots[index];
    return shot.path(Math.max(0, Math.min(n - shot.start, shot.end - shot.start - 1)));
  };

  /** The incoming shot over a wipe's soft edge, as the renderer weighs each column. */
  let wipeLayer = null;
  function drawWipe(j, window, t) {
    wipeLayer ??= Object.assign(document.createElement('canvas'), { width: frame.width, height: frame.height });
    const layer = wipeLayer.getContext('2d');
    layer.globalCompositeOperation = 'source-over';
    layer.clearRect(0, 0, frame.width, frame.height);
    drawShot(j, window, { into: layer });
    const mask = layer.createLinearGradient(0, 0, frame.width, 0);
    // A stop every 4 px follows the renderer's smoothstep edge closely.
    const stops = Math.ceil(frame.width / 4);
    for (let k = 0; k <= stops; k++)
      mask.addColorStop(k / stops, `rgba(0,0,0,${wipeWeight(frame.width, t, (k / stops) * frame.width)})`);
    layer.globalCompositeOperation = 'destination-in';
    layer.fillStyle = mask;
    layer.fillRect(0, 0, frame.width, frame.height);
    context.drawImage(wipeLayer, 0, 0);
  }

  /** Two shots in transition at frame `n`, drawn as the renderer combines them (transitions.ts). */
  function drawTransition(i, j, n) {
    const t = (n - shots[j].start + 0.5) / (shots[i].end - shots[j].start);
    const [a, b] = transitionWindows(storyboard.transition, t, windowAt(i, n), windowAt(j, n));
    if (storyboard.transition === 'slide') {
      const offset = slideOffset(frame.width, t);
      drawShot(i, a, { x: -offset });
      drawShot(j, b, { x: frame.width - offset });
    } else if (storyboard.transition === 'wipe') {
      drawShot(i, a);
      drawWipe(j, b, t);
    } else {
      drawShot(i, a);
      drawShot(j, b, { alpha: blendWeight(t) });
    }
  }

  function draw(t) {
    const n = Math.min(Math.round(t * fps), Math.round(duration * fps) - 1);
    const active = shots.flatMap((shot, i) => (shot.start <= n && (n < shot.end || i === shots.length - 1) ? [i] : []));
    context.fillStyle = '#000';
    context.fillRect(0, 0, frame.width, frame.height);
    if (active.length >= 2) drawTransition(active[0], active[1], n);
    else {
      const index = active[0] ?? shots.length - 1;
      drawShot(index, windowAt(index, n));
    }
    const unit = Math.min(frame.width, frame.height);
    if (storyboard.title)
      drawText(context, storyboard.title.text, {
        y: frame.height / 2,
        size: unit / 9,
        alpha: textOpacity(t, 0.2, titleEnd, 0.4),
        width: frame.width,
      });
    const line = lines.findLast((segment) => segment.startSec <= t);
    if (line) {
      const next = lines[lines.indexOf(line) + 1];
      const end = Math.min(next ? next.startSec : duration, line.startSec + 6);
      drawText(context, line.text, {
        y: frame.height * 0.86,
        size: unit / 18,
        alpha: textOpacity(t, line.startSec, end, 0.25),
        width: frame.width,
      });
    }
    const fadeOut = Math.min(1, duration / 4);
    if (t > duration - fadeOut) {
      context.fillStyle = `rgba(0, 0, 0, ${Math.min(1, (t - (duration - fadeOut)) / fadeOut)})`;
      context.fillRect(0, 0, frame.width, frame.height);
    }
    onTime?.(t);
  }

  function tick() {
    if (!playing) return;
    const t = clock();
    if (t >= duration || (audioClock && music.ended)) {
      stop();
      onEnded?.();
      return;
    }
    // The voice drifts from the music only by what the browser lets slip; pull it back when it does.
    if (voice.src && !voice.ended && Math.abs(voice.currentTime - t) > 0.25) voice.currentTime = t;
    draw(t);
    requestAnimationFrame(tick);
  }

  async function play() {
    for (const audio of [music, voice]) if (audio.src) audio.currentTime = 0;
    started = performance.now();
    playing = true;
    canvas.dataset.playing = 'true';
    canvas.dataset.playingAt = String(Date.now());
    const audible = [music, voice].filter((audio) => audio.src);
    requestAnimationFrame(tick);
    await Promise.all(audible.map((audio) => audio.play())).catch(() => {
      audioClock = false;
    });
  }

  function stop() {
    playing = false;
    delete canvas.dataset.playing;
    music.pause();
    voice.pause();
  }

  draw(0);
  return { play, stop, isPlaying: () => playing, draw };
}
