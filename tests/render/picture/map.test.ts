import { beforeAll, describe, expect, it } from 'vitest';
import { mapLayout } from '../../../src/render/picture/map/layout.js';
import { prepareMapCanvas } from '../../../src/render/picture/map/map-canvas.js';
import { mapPalette, yuvOf } from '../../../src/render/picture/map/palette.js';
import { routeAnimation, routePath } from '../../../src/render/picture/map/route-stroke.js';
import { motionPath } from '../../../src/render/picture/motion.js';
import { canvasSize } from '../../../src/render/picture/crop.js';
import { safeArea, textWidth } from '../../../src/render/picture/text.js';
import { ComposeWorkspace } from '../../../src/render/video/workspace.js';
import { FPS, frameSpans } from '../../../src/render/graph.js';
import { frameSize, type Aspect, type Resolution, type ShotMap, type Storyboard } from '../../../src/schemas/run.js';
import {
  FFMPEG_BUILDS,
  mediaFor,
  renderStoryboard,
  storyboardFor,
  texturedPhoto,
  type TestShot,
} from '../../helpers/render.js';
import { browserRgbFrame, frameShifts, judder, lumaFrames } from '../../helpers/video-measure.js';

const ffmpeg = process.env.FFMPEG_PATH ?? FFMPEG_BUILDS.debian;
const MAP: ShotMap = {
  places: [
    { name: 'Bergen', lat: 60.3929, lon: 5.3241 },
    { name: 'Ålesund', lat: 62.4722, lon: 6.1495 },
  ],
  bounds: { west: 4.3, south: 59.6, east: 7.2, north: 63.0 },
};
/** The calm mood's route (#d64541) against its sea and land: red well above green and blue. */
const isRoute = (r: number, g: number, b: number) => r - g > 70 && r - b > 70;
const MAP_SEC = 3;
/** A time that seeks to frame n: ffmpeg starts at the first frame at or after it, and n / FPS may round past frame n. */
const seekTo = (n: number) => Math.max(0, (n - 0.25) / FPS);

let photos: TestShot[];
beforeAll(async () => {
  photos = await Promise.all(
    [0, 1].map(async (i) => ({
      photo: { media: mediaFor(`m_map${i}`, 1200, 800), bytes: await texturedPhoto(1200, 800, 30 + i) },
    })),
  );
});

/** A photo, the map, a photo; no transitions, so the map's frames are its own. */
function mapStoryboard(resolution: Resolution, aspect: Aspect): Storyboard {
  const storyboard = storyboardFor([photos[0]!, photos[0]!, photos[1]!], { resolution, aspect, shotSec: MAP_SEC });
  storyboard.shots[1] = { ...storyboard.shots[1]!, kind: 'map', mediaId: undefined, map: MAP };
  return storyboard;
}

/** Where a point of the map's canvas shows in the frame at frame `index` of the shot. */
async function toFrame(storyboard: Storyboard, index: number) {
  const frame = { width: storyboard.width, height: storyboard.height };
  const canvas = canvasSize(frame);
  const { focus } = await prepareMapCanvas(MAP, storyboard, frame);
  const window = motionPath('zoom-in', canvas, frame, focus, Math.round(MAP_SEC * FPS))(index);
  const layout = mapLayout(MAP, canvas, { ...frame, aspect: storyboard.aspect });
  const at = ([x, y]: [number, number]): [number, number] => [
    ((x - window.left) * frame.width) / window.width,
    ((y - window.top) * frame.height) / window.height,
  ];
  return { layout, at, scale: frame.width / window.width };
}

/** Shares of the route's samples (from `from` to `to` of its length) with a route-coloured pixel within 2 px. */
function routeSeen(
  rgb: Uint8Array,
  size: { width: number; height: number },
  points: Array<[number, number]>,
  [from, to]: [number, number],
): number {
  const picked = points.slice(Math.round(from * (points.length - 1)), Math.round(to * (points.length - 1)) + 1);
  const seen = picked.filter(([x, y]) => {
    for (let dy = -2; dy <= 2; dy++)
      for (let dx = -2; dx <= 2; dx++) {
        const [px, py] = [Math.round(x + dx), Math.round(y + dy)];
        if (px < 0 || py < 0 || px >= size.width || py >= size.height) continue;
        const i = (py * size.width + px) * 3;
        if (isRoute(rgb[i]!, rgb[i + 1]!, rgb[i + 2]!)) return true;
      }
    return false;
  });
  return seen.length / picked.length;
}

describe('a map shot at every size', () => {
  const sizes = (['360p', '720p', '1080p'] as const).flatMap((resolution) =>
    (['16:9', '9:16', '1:1', '4:5'] as const).map((aspect) => [resolution, aspect] as const),
  );
  it.each(sizes)(
    'at %s %s: places and names inside the safe area, the whole route drawn at the end',
    async (resolution, aspect) => {
      const frame = frameSize(resolution, aspect);
      const canvas = canvasSize(frame);
      const layout = mapLayout(MAP, canvas, { ...frame, aspect });
      const safe = safeArea(aspect);
      const area = {
        left: (canvas.width - frame.width) / 2 + frame.width * safe.left,
        right: (canvas.width + frame.width) / 2 - frame.width * safe.right,
        top: (canvas.height - frame.height) / 2 + frame.height * safe.top,
        bottom: (canvas.height + frame.height) / 2 - frame.height * safe.bottom,
      };
      for (const [x, y] of layout.stops) {
        expect(x).toBeGreaterThan(area.left);
        expect(x).toBeLessThan(area.right);
        expect(y).toBeGreaterThan(area.top);
        expect(y).toBeLessThan(area.bottom);
      }
      expect(layout.labels.map((label) => label.text)).toEqual(['Bergen', 'Ålesund']);
      for (const label of layout.labels) {
        expect(label.x, label.text).toBeGreaterThanOrEqual(area.left - 1);
        expect(label.x + textWidth(label.text, label.size), label.text).toBeLessThanOrEqual(area.right + 1);
      }
      const { planes } = await prepareMapCanvas(MAP, { mood: 'calm', aspect }, frame);
      const { canvas: drawn, animate } = routeAnimation(MAP, { mood: 'calm', aspect }, frame, planes, 90);
      const route = yuvOf(mapPalette('calm').route);
      // Nearest the route's colour within a chroma pixel of a point (chroma is at half the resolution).
      const offColour = ([x, y]: [number, number]) => {
        let best = 255;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const k = (Math.floor(y / 2) + dy) * (canvas.width / 2) + Math.floor(x / 2) + dx;
            best = Math.min(best, Math.abs(drawn.v[k]! - route.v));
          }
        return best;
      };
      const path = routePath(layout.stops);
      const middle = path[Math.round(path.length / 2)]!;
      animate(0);
      expect(offColour(middle)).toBeGreaterThan(20);
      animate(89);
      expect(offColour(middle)).toBeLessThanOrEqual(2);
    },
  );
});

describe('a map shot', () => {
  it.each([
    ['720p', '16:9'],
    ['360p', '9:16'],
    ['360p', '1:1'],
    ['360p', '4:5'],
  ] as const)(
    'at %s %s: the route grows from the first place to the last, and the names have ink',
    async (resolution, aspect) => {
      const storyboard = mapStoryboard(resolution, aspect);
      const size = { width: storyboard.width, height: storyboard.height };
      const video = await renderStoryboard(storyboard, photos, ffmpeg);
      try {
        const frames = Math.round(MAP_SEC * FPS);
        const first = frameSpans(storyboard.shots, FPS)[1]!.start;
        const look = async (index: number) => {
          const rgb = await browserRgbFrame(ffmpeg, video.file, seekTo(first + index), size.width, size.height);
          const { layout, at } = await toFrame(storyboard, index);
          return { rgb, layout, at, route: routePath(layout.stops).map(at) };
        };
        // At its end: the whole route, between the two places' projected points, is drawn.
        const end = await look(frames - 1);
        expect(routeSeen(end.rgb, size, end.route, [0.06, 0.94])).toBeGreaterThan(0.95);
        // Each name's box has dark ink (the calm map's names are #25343b on a white halo).
        for (const label of end.layout.labels) {
          const [x0, y0] = end.at([label.x, label.y - label.size * 0.75]);
          const [x1, y1] = end.at([label.x + textWidth(label.text, label.size), label.y]);
          let ink = 0;
          for (let y = Math.max(0, Math.floor(y0)); y < Math.min(size.height, y1); y++)
            for (let x = Math.max(0, Math.floor(x0)); x < Math.min(size.width, x1); x++) {
              const i = (y * size.width + x) * 3;
              if (end.rgb[i]! + end.rgb[i + 1]! + end.rgb[i + 2]! < 3 * 90) ink++;
            }
          expect(ink / ((x1 - x0) * (y1 - y0)), label.text).toBeGreaterThan(0.12);
        }
        // At its start no route yet; halfway through, its first part only.
        const start = await look(1);
        expect(routeSeen(start.rgb, size, start.route, [0.05, 0.95])).toBeLessThan(0.02);
        const middle = await look(Math.round(frames * 0.45));
        expect(routeSeen(middle.rgb, size, middle.route, [0.06, 0.3])).toBeGreaterThan(0.95);
        expect(routeSeen(middle.rgb, size, middle.route, [0.7, 0.98])).toBeLessThan(0.02);
      } finally {
        video.cleanup();
      }
    },
    300_000,
  );

  it('moves smoothly: ≤ 0.1 px/frame² at 720p', async () => {
    const storyboard = storyboardFor([photos[0]!], { resolution: '720p', shotSec: 2 });
    storyboard.shots[0] = { ...storyboard.shots[0]!, kind: 'map', mediaId: undefined, map: MAP };
    const video = await renderStoryboard(storyboard, [], ffmpeg);
    try {
      const size = 256;
      // The last half second fades to black; the motion is measured before it.
      const frames = (await lumaFrames(ffmpeg, video.file, size)).slice(0, 44);
      const shifts = frameShifts(frames, size);
      expect(judder(shifts)).toBeLessThanOrEqual(0.1);
    } finally {
      video.cleanup();
    }
  }, 300_000);

  it('rendered in a segment that starts inside it, shows the frames of a whole render', async () => {
    const storyboard = mapStoryboard('360p', '16:9');
    const whole = await renderStoryboard(storyboard, photos, ffmpeg);
    const workspace = await ComposeWorkspace.create();
    try {
      const span = frameSpans(storyboard.shots, FPS)[1]!;
      const range = { from: span.start + Math.round((span.end - span.start) * 0.5), to: span.end + 15 };
      const byId = new Map(photos.map((shot) => [shot.photo.media.mediaId as string, shot.photo]));
      await workspace.prepareShots(
        storyboard,
        async (id) => byId.get(id)!,
        undefined,
        ComposeWorkspace.shotsFor(storyboard, range),
      );
      const file = await workspace.renderPicture(storyboard, range, ffmpeg);
      const size = { width: storyboard.width, height: storyboard.height };
      for (const offset of [0, 10]) {
        const a = await browserRgbFrame(ffmpeg, whole.file, seekTo(range.from + offset), size.width, size.height);
        const b = await browserRgbFrame(ffmpeg, file, seekTo(offset), size.width, size.height);
        let diff = 0;
        for (let i = 0; i < a.length; i++) diff += Math.abs(a[i]! - b[i]!);
        expect(diff / a.length, `frame ${range.from + offset}`).toBeLessThan(2);
      }
    } finally {
      await workspace.dispose();
      whole.cleanup();
    }
  }, 300_000);
});

describe('names of places close together', () => {
  /** Paris, then three towns a few km apart near Lisbon: at the scale of the whole route their dots nearly touch. */
  const CLOSE: ShotMap = {
    places: [
      { name: 'Paris', lat: 48.8566, lon: 2.3522 },
      { name: 'Lisbon', lat: 38.7223, lon: -9.1393 },
      { name: 'Sintra', lat: 38.8029, lon: -9.3817 },
      { name: 'Cascais', lat: 38.6979, lon: -9.4215 },
    ],
    bounds: { west: -9.4215, south: 38.6979, east: 2.3522, north: 48.8566 },
  };

  it.each(['16:9', '9:16'] as const)('never write over each other, and stay in the frame (%s)', (aspect) => {
    const frame = frameSize('720p', aspect);
    const canvas = canvasSize(frame);
    const layout = mapLayout(CLOSE, canvas, { ...frame, aspect });
    expect(layout.labels.map((label) => label.text)).toEqual(['Paris', 'Lisbon', 'Sintra', 'Cascais']);
    const boxes = layout.labels.map((label) => ({
      text: label.text,
      left: label.x,
      right: label.x + textWidth(label.text, label.size),
      // The baseline sits 0.35 of the size below the line's middle; a letter spans about its size.
      top: label.y - label.size * 0.85,
      bottom: label.y + label.size * 0.15,
    }));
    for (const [i, a] of boxes.entries())
      for (const b of boxes.slice(i + 1)) {
        const apart = a.right <= b.left || b.right <= a.left || a.bottom <= b.top || b.bottom <= a.top;
        expect(apart, `${a.text} and ${b.text}`).toBe(true);
      }
    const safe = safeArea(aspect);
    for (const box of boxes) {
      expect(box.left, box.text).toBeGreaterThanOrEqual((canvas.width - frame.width) / 2 + frame.width * safe.left - 1);
      expect(box.right, box.text).toBeLessThanOrEqual((canvas.width + frame.width) / 2 - frame.width * safe.right + 1);
    }
  });
});
