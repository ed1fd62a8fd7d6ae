import whichPolygon from 'which-polygon';

/**
 * The name of the sea or ocean at a point known to be on open water. No npm
 * package ships named sea areas (the seas GeoJSON there is one unnamed
 * shape), so this is a coarse map: enclosed seas as rough outlines (they may
 * cross land, which is never asked about), then the five oceans split along
 * the continents. Its borders are approximate by design: it names where a
 * ship is, not where a treaty draws a line.
 */

type Ring = Array<[longitude: number, latitude: number]>;

/** Checked in this order; the first outline that holds the point names it. */
// prettier-ignore
const SEAS: Array<{ name: string; ring: Ring }> = [
  { name: 'Black Sea', ring: [[27.3, 41.1], [29.2, 41.15], [42, 40.6], [42, 47.6], [27.3, 47.6]] },
  { name: 'Caspian Sea', ring: [[46.5, 36.4], [55.2, 36.4], [55.2, 47.4], [46.5, 47.4]] },
  {
    name: 'Mediterranean Sea',
    ring: [[-5.6, 34.5], [-5.6, 36.3], [-2, 40], [0, 42.6], [3, 44], [7, 44.5], [12, 46.2], [14, 46], [20, 42.5], [23, 41], [29.3, 41], [30, 40], [36.5, 37], [36.5, 31], [32.5, 30.3], [20, 30], [10, 33.2]],
  },
  { name: 'Red Sea', ring: [[32.3, 30], [35.1, 29.6], [35, 28], [37, 24], [40, 20], [43.5, 13.5], [43.6, 12.4], [42.5, 12.4], [39, 15.5], [36, 20], [33.5, 25], [32.3, 29.5]] },
  { name: 'Persian Gulf', ring: [[47.5, 30.5], [51, 30.5], [57, 26.5], [56.4, 25.5], [56, 24], [51, 23.5], [47.5, 28]] },
  {
    name: 'Baltic Sea',
    ring: [[9.5, 53.3], [9.5, 56.8], [10.4, 57.6], [12.2, 57.6], [13, 58.5], [16, 60], [17, 62.5], [21, 66], [26, 66], [30.5, 60.5], [30.5, 59], [28, 57], [22, 54.5], [14, 53.3]],
  },
  { name: 'North Sea', ring: [[1.5, 50.9], [-1, 52.5], [-3.5, 56], [-5, 58.7], [-5, 61], [5, 62], [8, 60], [11.5, 59.5], [12.2, 57.6], [10.4, 57.6], [9.5, 56.8], [9.5, 53.5], [7, 53.2], [4, 51.8]] },
  { name: 'English Channel', ring: [[-5.7, 48.3], [-5.7, 50.2], [1.4, 51.1], [1.9, 50.9], [0, 49.3]] },
  { name: 'Irish Sea', ring: [[-6.4, 51.9], [-4.5, 52.1], [-3, 53.3], [-3, 54.9], [-5.2, 55], [-6, 54.5], [-6.4, 53]] },
  { name: 'Hudson Bay', ring: [[-95.5, 51], [-95.5, 64.5], [-86, 66.5], [-81, 64.5], [-78, 62.8], [-77, 60], [-78.5, 55], [-79, 51]] },
  {
    name: 'Gulf of Mexico',
    ring: [[-98, 18], [-98, 31], [-82, 31], [-80.8, 25.2], [-81, 24.5], [-83, 23], [-84.9, 21.9], [-86.8, 21.5], [-90, 19], [-94, 18]],
  },
  {
    name: 'Caribbean Sea',
    ring: [
      [-87.5, 21.5], [-84.9, 21.9], [-81, 22.6], [-77.5, 21.3], [-74.1, 20.25], [-72, 19.7], [-68.3, 18.6], [-66, 18.3], [-64.5, 18.4],
      [-61.8, 17.1], [-61.3, 15.5], [-61, 14], [-61.2, 13.2], [-61.7, 12], [-60.9, 10.8], [-62, 10], [-72, 10], [-77.3, 8.6],
      [-79.5, 9.2], [-81.5, 8.7], [-84, 10.2], [-85.7, 11.2], [-86, 13], [-88, 15], [-89.3, 15.5], [-89, 17.5],
    ],
  },
];

const enclosed = whichPolygon<{ name: string }>({
  type: 'FeatureCollection',
  features: SEAS.map(({ name, ring }) => ({
    type: 'Feature',
    properties: { name },
    geometry: { type: 'Polygon', coordinates: [[...ring, ring[0]!]] },
  })),
});

/**
 * West of this longitude (at this latitude) open water off the Americas is the
 * Pacific, east of it the Atlantic: a line through the continent's interior,
 * meeting the Cape Horn meridian in the south.
 */
function americasDivide(latitude: number): number {
  if (latitude < -55) return -67.3;
  if (latitude < -45) return -71;
  if (latitude < -35) return -68;
  if (latitude < -2) return -60;
  if (latitude < 5) return -65;
  if (latitude < 9) return -78;
  if (latitude < 12) return -83;
  if (latitude < 14) return -86.5;
  if (latitude < 16) return -90;
  if (latitude < 32) return -95;
  return -100;
}

function ocean(latitude: number, longitude: number): string | null {
  // North of the Bering Strait the Pacific becomes the Arctic; elsewhere about the Arctic Circle.
  const beringSector = longitude > 160 || longitude < -160;
  if (latitude >= (beringSector ? 66.5 : 66)) return 'Arctic Ocean';
  if (latitude <= -60) return 'Southern Ocean';
  if (longitude < americasDivide(latitude)) return 'Pacific Ocean';
  // The Indian Ocean meets the Atlantic at Cape Agulhas (20° E) and the Pacific south of Tasmania (146.9° E),
  // or across the Indonesian islands (about 100° E) further north.
  const indianEast = latitude <= -10 ? 146.9 : 100;
  if (longitude >= indianEast) return 'Pacific Ocean';
  if (longitude >= 20) return latitude < 30 ? 'Indian Ocean' : null;
  return 'Atlantic Ocean';
}

/** "Mediterranean Sea", "Pacific Ocean"; null where no sea is known (a lake the land map leaves out). */
export function seaName(point: { latitude: number; longitude: number }): string | null {
  return enclosed([point.longitude, point.latitude])?.name ?? ocean(point.latitude, point.longitude);
}
