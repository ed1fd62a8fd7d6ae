/** A small offline gazetteer, so narration can say "near Lisbon" without a geocoding service. */
const CITIES: ReadonlyArray<readonly [string, number, number]> = [
  ['Lisbon', 38.7223, -9.1393], ['Sintra', 38.8029, -9.3817], ['Cascais', 38.6979, -9.4215], ['Porto', 41.1579, -8.6291], ['Coimbra', 40.2033, -8.4103], ['Faro', 37.0194, -7.9304], ['Madrid', 40.4168, -3.7038], ['Barcelona', 41.3874, 2.1686],
  ['Seville', 37.3891, -5.9845], ['Paris', 48.8566, 2.3522], ['Nice', 43.7102, 7.262], ['Lyon', 45.764, 4.8357],
  ['London', 51.5072, -0.1276], ['Edinburgh', 55.9533, -3.1883], ['Dublin', 53.3498, -6.2603], ['Amsterdam', 52.3676, 4.9041],
  ['Brussels', 50.8503, 4.3517], ['Berlin', 52.52, 13.405], ['Munich', 48.1351, 11.582], ['Hamburg', 53.5511, 9.9937],
  ['Vienna', 48.2082, 16.3738], ['Prague', 50.0755, 14.4378], ['Zurich', 47.3769, 8.5417], ['Rome', 41.9028, 12.4964],
  ['Florence', 43.7696, 11.2558], ['Venice', 45.4408, 12.3155], ['Milan', 45.4642, 9.19], ['Naples', 40.8518, 14.2681],
  ['Athens', 37.9838, 23.7275], ['Istanbul', 41.0082, 28.9784], ['Copenhagen', 55.6761, 12.5683], ['Stockholm', 59.3293, 18.0686],
  ['Oslo', 59.9139, 10.7522], ['Helsinki', 60.1699, 24.9384], ['Reykjavik', 64.1466, -21.9426], ['Warsaw', 52.2297, 21.0122],
  ['Budapest', 47.4979, 19.0402], ['New York', 40.7128, -74.006], ['Boston', 42.3601, -71.0589], ['Washington', 38.9072, -77.0369],
  ['Chicago', 41.8781, -87.6298], ['Miami', 25.7617, -80.1918], ['Los Angeles', 34.0522, -118.2437], ['San Francisco', 37.7749, -122.4194],
  ['Seattle', 47.6062, -122.3321], ['Toronto', 43.6532, -79.3832], ['Montreal', 45.5019, -73.5674], ['Vancouver', 49.2827, -123.1207],
  ['Mexico City', 19.4326, -99.1332], ['Rio de Janeiro', -22.9068, -43.1729], ['Buenos Aires', -34.6037, -58.3816], ['Lima', -12.0464, -77.0428],
  ['Cape Town', -33.9249, 18.4241], ['Marrakesh', 31.6295, -7.9811], ['Cairo', 30.0444, 31.2357], ['Nairobi', -1.2921, 36.8219],
  ['Dubai', 25.2048, 55.2708], ['Mumbai', 19.076, 72.8777], ['Delhi', 28.7041, 77.1025], ['Kathmandu', 27.7172, 85.324],
  ['Bangkok', 13.7563, 100.5018], ['Singapore', 1.3521, 103.8198], ['Hong Kong', 22.3193, 114.1694], ['Shanghai', 31.2304, 121.4737],
  ['Beijing', 39.9042, 116.4074], ['Seoul', 37.5665, 126.978], ['Tokyo', 35.6762, 139.6503], ['Kyoto', 35.0116, 135.7681],
  ['Sydney', -33.8688, 151.2093], ['Melbourne', -37.8136, 144.9631], ['Auckland', -36.8485, 174.7633], ['Honolulu', 21.3099, -157.8581],
];

/** Great-circle distance in kilometres. */
export function distanceKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The nearest listed city within `withinKm`, or null. */
export function nearestPlace(point: { latitude: number; longitude: number }, withinKm = 50): string | null {
  let best: { name: string; km: number } | null = null;
  for (const [name, latitude, longitude] of CITIES) {
    const km = distanceKm(point, { latitude, longitude });
    if (km <= withinKm && (!best || km < best.km)) best = { name, km };
  }
  return best?.name ?? null;
}
