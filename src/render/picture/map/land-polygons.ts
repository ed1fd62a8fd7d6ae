import { createRequire } from 'node:module';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import { feature } from 'topojson-client';
import type { Topology } from 'topojson-specification';

/**
 * Natural Earth's 1:50m land polygons (world-atlas, 0.5 MB, bundled with the
 * rendering function): each polygon as its outer ring then its holes, in
 * degrees. Read once per process, on first use; no map data is fetched.
 */
let polygons: Position[][][] | null = null;

export function landPolygons(): Position[][][] {
  if (polygons) return polygons;
  const topology = createRequire(import.meta.url)('world-atlas/land-50m.json') as Topology;
  const geometry = feature(topology, topology.objects.land!);
  const shapes = 'features' in geometry ? geometry.features.map((f) => f.geometry) : [geometry.geometry];
  polygons = shapes.flatMap((shape) =>
    shape.type === 'MultiPolygon'
      ? (shape as MultiPolygon).coordinates
      : shape.type === 'Polygon'
        ? [(shape as Polygon).coordinates]
        : [],
  );
  return polygons;
}
