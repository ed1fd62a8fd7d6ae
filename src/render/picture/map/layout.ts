import type { Aspect, ShotMap } from '../../../schemas/run.js';
import type { Size } from '../motion.js';
import { drawableText, fitText, safeArea, textWidth } from '../text.js';

/**
 * Where everything of a map shot lies on its canvas (the frame plus the
 * motion's headroom): a Mercator projection that fits the shot's bounds into
 * the part of the canvas the frame shows, inside the text-safe area and with
 * room beside each place for its name. Pure and cheap, so the canvas and the
 * route drawn over it each frame are computed from the same numbers.
 */

export interface MapLabel {
  text: string;
  size: number;
  /** Baseline start, in canvas pixels. */
  x: number;
  y: number;
}

export interface MapLayout {
  canvas: Size;
  /** Degrees to canvas pixels. */
  project: (lon: number, lat: number) => [number, number];
  /** The canvas's extent in degrees, for picking the land outlines it shows. */
  extent: { west: number; south: number; east: number; north: number };
  stops: Array<[number, number]>;
  labels: MapLabel[];
  /** The route's half width and a place dot's radius, in canvas pixels. */
  lineHalfWidth: number;
  dotRadius: number;
}

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Whether two boxes come closer than `margin`. */
const overlaps = (a: Box, b: Box, margin: number) =>
  a.left < b.left + b.width + margin &&
  b.left < a.left + a.width + margin &&
  a.top < b.top + b.height + margin &&
  b.top < a.top + a.height + margin;

const mercatorY = (lat: number) => Math.log(Math.tan(Math.PI / 4 + (Math.max(-85, Math.min(85, lat)) * Math.PI) / 360));
const latitudeOf = (y: number) => (360 / Math.PI) * Math.atan(Math.exp(y)) - 90;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Names are drawn for at most this many places; a longer route names its first and last. */
const MAX_LABELS = 6;

export function mapLayout(map: ShotMap, canvas: Size, frame: Size & { aspect: Aspect }): MapLayout {
  const short = Math.min(frame.width, frame.height);
  const size = short * 0.05;
  const dotRadius = Math.max(2, short * 0.011);
  const lineHalfWidth = Math.max(1.5, short * 0.007);
  const named = map.places.map((place, i) =>
    map.places.length <= MAX_LABELS || i === 0 || i === map.places.length - 1
      ? fitText(drawableText(place.name), { size, max: frame.width * 0.34, maxLines: 2 })
      : null,
  );
  const widthOf = (label: { lines: string[]; size: number }) =>
    Math.max(...label.lines.map((line) => textWidth(line, label.size)));
  const widest = Math.max(0, ...named.map((label) => (label ? widthOf(label) : 0)));
  const safe = safeArea(frame.aspect);
  // The frame's own rectangle, centred on the canvas, less the safe margins and room for a name beside each place.
  const side = Math.min(frame.width * 0.36, widest + dotRadius * 3);
  const target = {
    left: (canvas.width - frame.width) / 2 + Math.max(frame.width * safe.left, side),
    right: (canvas.width + frame.width) / 2 - Math.max(frame.width * safe.right, side),
    top: (canvas.height - frame.height) / 2 + frame.height * safe.top + size,
    bottom: (canvas.height + frame.height) / 2 - frame.height * safe.bottom - size * 0.5,
  };
  const { west, east, south, north } = map.bounds;
  const spanX = Math.max(1e-6, rad(east - west));
  const spanY = Math.max(1e-6, mercatorY(north) - mercatorY(south));
  const scale = Math.min(
    Math.max(1, target.right - target.left) / spanX,
    Math.max(1, target.bottom - target.top) / spanY,
  );
  const centre = { x: rad((west + east) / 2), y: (mercatorY(north) + mercatorY(south)) / 2 };
  const middle = { x: (target.left + target.right) / 2, y: (target.top + target.bottom) / 2 };
  const project = (lon: number, lat: number): [number, number] => [
    middle.x + (rad(lon) - centre.x) * scale,
    middle.y - (mercatorY(lat) - centre.y) * scale,
  ];
  const extent = {
    west: ((0 - middle.x) / scale + centre.x) * (180 / Math.PI),
    east: ((canvas.width - middle.x) / scale + centre.x) * (180 / Math.PI),
    north: latitudeOf(centre.y + middle.y / scale),
    south: latitudeOf(centre.y - (canvas.height - middle.y) / scale),
  };
  const stops = map.places.map((place) => project(place.lon, place.lat));
  const meanX = stops.reduce((sum, [x]) => sum + x, 0) / stops.length;
  const frameBox = {
    left: (canvas.width - frame.width) / 2 + frame.width * safe.left,
    right: (canvas.width + frame.width) / 2 - frame.width * safe.right,
    top: (canvas.height - frame.height) / 2 + frame.height * safe.top,
    bottom: (canvas.height + frame.height) / 2 - frame.height * safe.bottom,
  };
  const placed: Box[] = [];
  const labels = named.flatMap((label, i) => {
    if (!label) return [];
    const [x, y] = stops[i]!;
    // A long name wraps rather than being cut: its lines are centred on the place's height.
    const width = widthOf(label);
    const gap = dotRadius * 2;
    const leading = label.size * 1.15;
    const height = label.size + (label.lines.length - 1) * leading;
    // Beside the place, away from the rest of the route; then the other side, a row above or below: the first that
    // stays in the frame and clear of the names already placed (close places, such as towns a few km apart on a
    // map of a country, would otherwise write over each other).
    const beside = (onLeft: boolean): Box => ({
      left: onLeft ? x - gap - width : x + gap,
      top: y - height / 2,
      width,
      height,
    });
    // A row above or below the place's own row (`rows` of them out), centred on it.
    const margin = label.size * 0.2;
    const vertical = (rows: number): Box => ({
      left: x - width / 2,
      top: y - height / 2 + rows * (height + margin * 2),
      width,
      height,
    });
    const preferLeft = x < meanX;
    const candidates = [beside(preferLeft), beside(!preferLeft), vertical(-1), vertical(1), vertical(-2), vertical(2)];
    const inFrame = (box: Box) =>
      box.left >= frameBox.left &&
      box.left + box.width <= frameBox.right &&
      box.top >= frameBox.top &&
      box.top + box.height <= frameBox.bottom;
    const clear = (box: Box) => placed.every((other) => !overlaps(box, other, margin));
    const box =
      candidates.find((candidate) => inFrame(candidate) && clear(candidate)) ??
      candidates.find(inFrame) ??
      candidates[0]!;
    placed.push(box);
    return label.lines.map((text, line) => ({
      text,
      size: label.size,
      x: box.left,
      y: box.top + height / 2 + label.size * 0.35 + (line - (label.lines.length - 1) / 2) * leading,
    }));
  });
  return { canvas, project, extent, stops, labels, lineHalfWidth, dotRadius };
}
