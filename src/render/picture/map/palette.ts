import { rgbToPlanes } from '../planes.js';

/** A map's colours (sRGB hex). */
export interface MapPalette {
  sea: string;
  land: string;
  coast: string;
  route: string;
  /** Place dots and label text, and the halo that keeps them legible over land and sea. */
  ink: string;
  halo: string;
}

/**
 * Each mood's map, in the spirit of its music: calm and romantic in soft
 * pastels, energetic and adventurous in saturated blues with a hot route,
 * nostalgic in sepia, dramatic at night. Any other mood is drawn as calm
 * (the moods the director knows are in src/style/styles.ts).
 */
const PALETTES: Record<string, MapPalette> = {
  calm: { sea: '#a9cbd6', land: '#efe8d8', coast: '#7fa6b3', route: '#d64541', ink: '#25343b', halo: '#ffffff' },
  happy: { sea: '#86cfe6', land: '#fbf3d2', coast: '#5fb4d0', route: '#ff5a1f', ink: '#1f2d3d', halo: '#ffffff' },
  energetic: { sea: '#1d3557', land: '#e9e4d4', coast: '#457b9d', route: '#e63946', ink: '#10151c', halo: '#ffffff' },
  nostalgic: { sea: '#c2c8b4', land: '#eadcc0', coast: '#9a9279', route: '#9c3d1c', ink: '#3e3122', halo: '#f7efe0' },
  dramatic: { sea: '#15202b', land: '#3b4852', coast: '#62737f', route: '#f4c430', ink: '#ffffff', halo: '#000000' },
  romantic: { sea: '#c9d8e6', land: '#fbeee8', coast: '#a8b8cc', route: '#c2185b', ink: '#3b2a33', halo: '#ffffff' },
  adventurous: { sea: '#2a6f97', land: '#d9cb9e', coast: '#1b4965', route: '#ff7b00', ink: '#161616', halo: '#ffffff' },
};

export function mapPalette(mood: string): MapPalette {
  return PALETTES[mood] ?? PALETTES.calm!;
}

/** A colour as BT.709 limited-range Y, U, V (what the planes hold), converted as photos are. */
export function yuvOf(hex: string): { y: number; u: number; v: number } {
  const rgb = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const planes = rgbToPlanes(new Uint8Array([...rgb, ...rgb, ...rgb, ...rgb]), 2, 2, 3);
  return { y: planes.y[0]!, u: planes.u[0]!, v: planes.v[0]! };
}
