import { createRequire } from 'node:module';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { feature } from 'topojson-client';
import type { Topology } from 'topojson-specification';
import whichPolygon from 'which-polygon';

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
 * the whole map. Unwrapped, its longitudes run on past 180 (or below -180);
 * a point is then also tried 360 degrees over. A ring around a pole cannot be
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
  return offset === 0 ? out : ring;
}

function load(): Query {
  if (land) return land;
  const topology = createRequire(import.meta.url)('world-atlas/land-50m.json') as Topology;
  const geometry = feature(topology, topology.objects.land!);
  const shapes = 'features' in geometry ? geometry.features.map((f) => f.geometry) : [geometry.geometry];
  // One feature per island or continent, so the index's boxes stay small and a point is tested against few rings.
  const polygons = shapes.flatMap((shape) =>
    shape.type === 'MultiPolygon' ? (shape as MultiPolygon).coordinates : shape.type === 'Polygon' ? [(shape as Polygon).coordinates] : [],
  );
  land = whichPolygon({
    type: 'FeatureCollection',
    features: polygons.map((rings) => ({ type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: rings.map(unwrap) } })),
  });
  return land;
}

/** The map's coastline is generalised to a kilometre or two: a point this near land counts as on it. */
const COAST_TOLERANCE_DEGREES = 0.03;

export function isOnLand(point: { latitude: number; longitude: number }): boolean {
  const query = load();
  const onLand = (latitude: number, longitude: number) => [0, 360, -360].some((shift) => query([longitude + shift, latitude]) !== null);
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
