/**
 * A test card of colour patches, 4 by 2, and the measures taken on it: each
 * patch's mean colour, and CIELAB (D65) to judge colour as a viewer would.
 */
export type Rgb = [number, number, number];

/** sRGB patches: saturated primaries and secondaries, skin, greys from dark to light. */
export const PATCHES: Rgb[] = [
  [200, 40, 40],
  [40, 160, 60],
  [50, 70, 190],
  [230, 200, 60],
  [128, 128, 128],
  [235, 235, 235],
  [35, 35, 35],
  [210, 160, 130],
];
/**
 * A scene for an HDR card: its white (255) goes to reference white (203 cd/m²), the rest below it as graded for
 * SDR: primaries, light and dark skin, 18 % grey, black.
 */
export const HDR_SCENE: Rgb[] = [
  [200, 40, 40],
  [40, 160, 60],
  [50, 70, 190],
  [210, 160, 130],
  [118, 118, 118],
  [255, 255, 255],
  [0, 0, 0],
  [115, 82, 68],
];
export const [HDR_RED, HDR_WHITE, HDR_BLACK] = [0, 5, 6];

export const [W, H, COLUMNS] = [640, 360, 4];
const PATCH = { width: W / COLUMNS, height: H / 2 };

/** The card as interleaved 8-bit RGB, W×H. */
export function patchPixels(patches: Rgb[] = PATCHES): Buffer {
  const pixels = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      pixels.set(patches[Math.floor(y / PATCH.height) * COLUMNS + Math.floor(x / PATCH.width)]!, (y * W + x) * 3);
  return pixels;
}

/** Mean colour of a 24×24 square at each patch's centre, from W×H RGB. */
export function patchMeans(rgb: Uint8Array): Rgb[] {
  return PATCHES.map((_, p) => {
    const cx = (p % COLUMNS) * PATCH.width + PATCH.width / 2;
    const cy = Math.floor(p / COLUMNS) * PATCH.height + PATCH.height / 2;
    const sum = [0, 0, 0];
    for (let y = cy - 12; y < cy + 12; y++)
      for (let x = cx - 12; x < cx + 12; x++) for (let c = 0; c < 3; c++) sum[c]! += rgb[(y * W + x) * 3 + c]!;
    return sum.map((v) => v / 576) as Rgb;
  });
}

/** CIELAB (D65) of an sRGB colour (as a browser also shows a BT.709 stream). */
export function lab(rgb: Rgb): Rgb {
  const [r, g, b] = rgb.map((c) => {
    const e = Math.min(255, Math.max(0, c)) / 255;
    return e <= 0.04045 ? e / 12.92 : ((e + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const fx = f((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047);
  const fy = f(0.2126 * r + 0.7152 * g + 0.0722 * b);
  const fz = f((0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

export const deltaE = (a: Rgb, b: Rgb) => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]!));
/** Hue angle (degrees) and chroma in CIELAB. */
export const hue = (rgb: Rgb) => (Math.atan2(lab(rgb)[2], lab(rgb)[1]) * 180) / Math.PI;
export const chroma = (rgb: Rgb) => Math.hypot(lab(rgb)[1], lab(rgb)[2]);
/** The smaller angle between two hues. */
export const hueTurn = (a: Rgb, b: Rgb) => Math.abs(((hue(a) - hue(b) + 540) % 360) - 180);
