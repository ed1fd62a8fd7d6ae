import type { Aspect, ShotMap } from '../../../schemas/run.js';
import { ease, type Size } from '../motion.js';
import type { Planes } from '../planes.js';
import { mapLayout } from './layout.js';
import { mapPalette, yuvOf } from './palette.js';

/**
 * The route line, grown from the first place to the last across a map shot.
 * Its pixels are found once, each with how much the line covers it and how
 * far along the route it lies; a frame then paints those up to the route's
 * length at that frame over a copy of the map. So a frame depends on its
 * number alone (a segment may start anywhere in the shot) and costs a copy
 * and the line's own pixels.
 */

interface Stroke {
  /** Pixel indices in the plane, by distance along the route. */
  index: Uint32Array;
  cover: Float32Array;
  along: Float32Array;
}

type Path = Array<[number, number]>;

/** Each leg bows a little to one side, as routes on travel maps do. */
const BOW = 0.12;
const SAMPLES_PER_LEG = 48;

export function routePath(stops: Path): Path {
  const path: Path = [stops[0]!];
  for (let i = 1; i < stops.length; i++) {
    const [ax, ay] = stops[i - 1]!;
    const [bx, by] = stops[i]!;
    const [cx, cy] = [(ax + bx) / 2 - (by - ay) * BOW, (ay + by) / 2 + (bx - ax) * BOW];
    for (let k = 1; k <= SAMPLES_PER_LEG; k++) {
      const t = k / SAMPLES_PER_LEG;
      const [p, q, r] = [(1 - t) ** 2, 2 * t * (1 - t), t * t];
      path.push([p * ax + q * cx + r * bx, p * ay + q * cy + r * by]);
    }
  }
  return path;
}

/** Every pixel within reach of the path, with its coverage (antialiased) and distance along the path. */
function strokeOf(path: Path, halfWidth: number, plane: Size): Stroke {
  const cover = new Float32Array(plane.width * plane.height);
  const along = new Float32Array(plane.width * plane.height);
  const touched: number[] = [];
  let walked = 0;
  for (let i = 1; i < path.length; i++) {
    const [ax, ay] = path[i - 1]!;
    const [bx, by] = path[i]!;
    const length = Math.hypot(bx - ax, by - ay);
    const reach = halfWidth + 1;
    const [x0, x1] = [
      Math.max(0, Math.floor(Math.min(ax, bx) - reach)),
      Math.min(plane.width - 1, Math.ceil(Math.max(ax, bx) + reach)),
    ];
    const [y0, y1] = [
      Math.max(0, Math.floor(Math.min(ay, by) - reach)),
      Math.min(plane.height - 1, Math.ceil(Math.max(ay, by) + reach)),
    ];
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const [px, py] = [x + 0.5 - ax, y + 0.5 - ay];
        const t = length === 0 ? 0 : Math.max(0, Math.min(1, (px * (bx - ax) + py * (by - ay)) / (length * length)));
        const distance = Math.hypot(px - t * (bx - ax), py - t * (by - ay));
        const c = Math.min(1, halfWidth + 0.5 - distance);
        const k = y * plane.width + x;
        if (c <= cover[k]!) continue;
        if (cover[k] === 0) touched.push(k);
        cover[k] = c;
        along[k] = walked + t * length;
      }
    }
    walked += length;
  }
  touched.sort((a, b) => along[a]! - along[b]!);
  return {
    index: Uint32Array.from(touched),
    cover: Float32Array.from(touched, (k) => cover[k]!),
    along: Float32Array.from(touched, (k) => along[k]!),
  };
}

/** Paints the stroke up to `length` along it, its growing end antialiased too. */
function paint(plane: Uint8Array, stroke: Stroke, length: number, value: number): void {
  for (let i = 0; i < stroke.index.length && stroke.along[i]! < length + 0.5; i++) {
    const c = stroke.cover[i]! * Math.min(1, length + 0.5 - stroke.along[i]!);
    const k = stroke.index[i]!;
    plane[k] = Math.round(plane[k]! + (value - plane[k]!) * c);
  }
}

const pathLength = (path: Path) =>
  path.reduce((sum, [x, y], i) => (i === 0 ? 0 : sum + Math.hypot(x - path[i - 1]![0], y - path[i - 1]![1])), 0);

/** The route is still while the shot fades in, grows over this share of the shot, and is whole for the rest. */
const GROW_FROM = 0.12;
const GROW_TO = 0.78;

/**
 * The map shot's picture at each frame: `animate(index)` redraws `canvas` as
 * the map with the route grown as far as frame `index` of `frames` has it.
 */
export function routeAnimation(
  map: ShotMap,
  style: { mood: string; aspect: Aspect },
  frame: Size,
  base: Planes,
  frames: number,
): { canvas: Planes; animate: (index: number) => void } {
  const layout = mapLayout(map, base, { ...frame, aspect: style.aspect });
  const colours = mapPalette(style.mood);
  const path = routePath(layout.stops);
  const route = layerOf(path, layout.lineHalfWidth, colours.route, base);
  // The places' dots are drawn again over the line, as on the canvas: halo, then ink.
  const dots = layout.stops.flatMap((stop) => [
    layerOf([stop, stop], layout.dotRadius * 1.25, colours.halo, base),
    layerOf([stop, stop], layout.dotRadius, colours.ink, base),
  ]);
  const total = pathLength(path);
  const canvas: Planes = {
    width: base.width,
    height: base.height,
    y: new Uint8Array(base.y.length),
    u: new Uint8Array(base.u.length),
    v: new Uint8Array(base.v.length),
  };
  const last = Math.max(1, frames - 1);
  return {
    canvas,
    animate: (index) => {
      canvas.y.set(base.y);
      canvas.u.set(base.u);
      canvas.v.set(base.v);
      const grown = total * ease((index / last - GROW_FROM) / (GROW_TO - GROW_FROM));
      if (grown <= 0) return;
      paintLayer(canvas, route, grown);
      for (const dot of dots) paintLayer(canvas, dot, Infinity);
    },
  };
}

/** A stroke in one colour, found at full resolution for luma and at half for chroma. */
interface Layer {
  luma: Stroke;
  chroma: Stroke;
  colour: { y: number; u: number; v: number };
}

function layerOf(path: Path, halfWidth: number, colour: string, plane: Size): Layer {
  const chroma = { width: plane.width >> 1, height: plane.height >> 1 };
  return {
    luma: strokeOf(path, halfWidth, plane),
    chroma: strokeOf(
      path.map(([x, y]) => [x / 2, y / 2]),
      halfWidth / 2,
      chroma,
    ),
    colour: yuvOf(colour),
  };
}

function paintLayer(canvas: Planes, layer: Layer, length: number): void {
  paint(canvas.y, layer.luma, length, layer.colour.y);
  paint(canvas.u, layer.chroma, length / 2, layer.colour.u);
  paint(canvas.v, layer.chroma, length / 2, layer.colour.v);
}
