import type { Position } from 'geojson';
import { clipPolygon, type Point } from 'lineclip';
import whichPolygon from 'which-polygon';
import { landPolygons } from '../../../render/picture/map/land-polygons.js';

/**
 * Land or water, from Natural Earth's 1:50m land polygons (world-atlas, 0.5 MB;
 * lakes count as land, so a boat on a lake is named by the shore). Asked only
 * when no town is near, so it is read only then, once per process.
 */

type Query = whichPolygon.Query<Record<string, never>>;
let land: Query | null = null;

/**
 * A ring that crosses the antimeridian (Eurasia's, through Chukotka) jumps
 * from 180 to -180, which a flat point-in-polygon test reads as a line across
 * the whole map. Unwrapped and centred, only its part across the line runs on
 * past 180 (or below -180); a point is then also tried 360 degrees over. A ring around a pole cannot be
 * unwrapped and is kept as it is.
 */
function unwrap(ring: Position[]): Position[] {
  let offset = 0;
  const out = ring.map((position, i) => {
    const step = i === 0 ? 0 : position[0]! - ring[i - 1]![0]!;
    if (step > 180) offset -= 360;
    else if (step < -180) offset += 360;
    return [position[0]! + offset, position[1]!];
  });
  if (offset !== 0) return ring;
  // Centred on the map, so only the part across the antimeridian lies past ±180.
  const xs = out.map((position) => position[0]!);
  const centre = (Math.min(...xs) + Math.max(...xs)) / 2;
  const shift = centre > 180 ? -360 : centre < -180 ? 360 : 0;
  return shift === 0 ? out : out.map(([x, y]) => [x! + shift, y!]);
}

/** Continents are cut into tiles this many degrees wide, so a point is tested against a few hundred vertices, not 10,000. */
const TILE_DEGREES = 20;

function bounds(ring: Position[]): [number, number, number, number] {
  const xs = ring.map((position) => position[0]!);
  const ys = ring.map((position) => position[1]!);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** A polygon (outer ring, then holes) as the pieces of it inside each tile it covers. */
function tiles(rings: Position[][]): Position[][][] {
  const [minX, minY, maxX, maxY] = bounds(rings[0]!);
  if (maxX - minX <= TILE_DEGREES && maxY - minY <= TILE_DEGREES) return [rings];
  const pieces: Position[][][] = [];
  for (let x = Math.floor(minX / TILE_DEGREES) * TILE_DEGREES; x < maxX; x += TILE_DEGREES) {
    for (let y = Math.floor(minY / TILE_DEGREES) * TILE_DEGREES; y < maxY; y += TILE_DEGREES) {
      const clipped = rings.map((ring) => clipPolygon(ring as Point[], [x, y, x + TILE_DEGREES, y + TILE_DEGREES]));
      if (clipped[0]!.length >= 3) pieces.push([clipped[0]!, ...clipped.slice(1).filter((hole) => hole.length >= 3)]);
    }
  }
  return pieces;
}

function load(): Query {
  if (land) return land;
  land = whichPolygon({
    type: 'FeatureCollection',
    features: landPolygons()
      .flatMap((rings) => tiles(rings.map(unwrap)))
      .map((coordinates) => ({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates } })),
  });
  return land;
}

/** The map's coastline is generalised to a kilometre or two: a point this near land counts as on it. */
const COAST_TOLERANCE_DEGREES = 0.03;

export function isOnLand(point: { latitude: number; longitude: number }): boolean {
  const query = load();
  // An unwrapped ring runs past 180 or below -180 only on the far side of the antimeridian from the point.
  const onLand = (latitude: number, longitude: number) =>
    [0, longitude < 0 ? 360 : -360].some((shift) => query([longitude + shift, latitude]) !== null);
  const d = COAST_TOLERANCE_DEGREES;
  const dLon = Math.min(180, d / Math.max(0.01, Math.cos((point.latitude * Math.PI) / 180)));
  const { latitude: lat, longitude: lon } = point;
  return [
    [lat, lon],
    [lat + d, lon],
    [lat - d, lon],
    [lat, lon + dLon],
    [lat, lon - dLon],
  ].some(([a, b]) => onLand(a!, b!));
}
