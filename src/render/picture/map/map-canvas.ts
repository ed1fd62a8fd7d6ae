import { clipPolygon, type Point } from 'lineclip';
import type { Aspect, ShotMap } from '../../../schemas/run.js';
import type { Box, Size } from '../motion.js';
import { loadSharp } from '../native.js';
import { rgbToPlanes } from '../planes.js';
import type { PreparedCanvas } from '../prepare.js';
import { canvasSize } from '../crop.js';
import { textPathData } from '../text.js';
import { landPolygons } from './land-polygons.js';
import { mapLayout, type MapLayout } from './layout.js';
import { mapPalette } from './palette.js';

/** Outline points closer than this (canvas pixels) are merged: a continent's coast drawn at a world view stays small. */
const MIN_STEP_PX = 0.75;

/** The land outlines on the canvas as SVG path data: polygons outside it skipped, the rest clipped to it. */
function landPath(layout: MapLayout): string {
  const { extent, canvas, project } = layout;
  const margin = 4;
  const box: [number, number, number, number] = [-margin, -margin, canvas.width + margin, canvas.height + margin];
  const parts: string[] = [];
  for (const polygon of landPolygons()) {
    const outer = polygon[0]!;
    let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const [lon, lat] of outer) {
      w = Math.min(w, lon!);
      e = Math.max(e, lon!);
      s = Math.min(s, lat!);
      n = Math.max(n, lat!);
    }
    if (e < extent.west || w > extent.east || n < extent.south || s > extent.north) continue;
    for (const ring of polygon) {
      const points: Point[] = [];
      for (const [lon, lat] of ring) {
        const point = project(lon!, lat!);
        const last = points.at(-1);
        if (!last || Math.abs(point[0] - last[0]) + Math.abs(point[1] - last[1]) >= MIN_STEP_PX) points.push(point);
      }
      const clipped = clipPolygon(points, box);
      if (clipped.length < 3) continue;
      parts.push(`M${clipped.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join('L')}Z`);
    }
  }
  return parts.join('');
}

/** The focus a map's motion keeps in view: its places and their names. */
function routeBox(layout: MapLayout): Box {
  const xs = layout.stops.map(([x]) => x);
  const ys = layout.stops.map(([, y]) => y);
  const left = Math.min(...xs);
  const top = Math.min(...ys);
  return { left, top, width: Math.max(...xs) - left, height: Math.max(...ys) - top };
}

/**
 * A map shot's canvas: sea, land from the bundled outlines, a dot and a name
 * for each place, in the mood's colours; the route is drawn over it frame by
 * frame (route-stroke.ts). Rasterised by sharp from SVG, converted to YUV once.
 */
export async function prepareMapCanvas(
  map: ShotMap,
  style: { mood: string; aspect: Aspect },
  frame: Size,
): Promise<PreparedCanvas> {
  const canvas = canvasSize(frame);
  const layout = mapLayout(map, canvas, { ...frame, aspect: style.aspect });
  const colour = mapPalette(style.mood);
  const coast = Math.max(1, Math.min(frame.width, frame.height) * 0.0025);
  const labels = layout.labels.map((label) => textPathData(label.text, label.x, label.y, label.size)).join(' ');
  const halo = Math.max(2, (layout.labels[0]?.size ?? 20) * 0.16);
  const dots = layout.stops
    .map(([x, y]) => `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${layout.dotRadius.toFixed(1)}"/>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${canvas.width}" height="${canvas.height}">
<rect width="100%" height="100%" fill="${colour.sea}"/>
<path d="${landPath(layout)}" fill="${colour.land}" fill-rule="evenodd" stroke="${colour.coast}" stroke-width="${coast.toFixed(2)}" stroke-linejoin="round"/>
<g fill="${colour.ink}" stroke="${colour.halo}" stroke-width="${(layout.dotRadius * 0.5).toFixed(1)}">${dots}</g>
<path d="${labels}" fill="none" stroke="${colour.halo}" stroke-width="${halo.toFixed(1)}" stroke-linejoin="round" stroke-opacity="0.85"/>
<path d="${labels}" fill="${colour.ink}"/>
</svg>`;
  const sharp = await loadSharp();
  const rgb = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer();
  return { planes: rgbToPlanes(rgb, canvas.width, canvas.height, 3), focus: routeBox(layout) };
}
