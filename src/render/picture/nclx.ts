/**
 * Colour described by code points (ISO/IEC 23091-2, the same numbers as ITU-T
 * H.273 and a HEVC stream's VUI), as Android phones and cameras write it in a
 * HEIC's `colr` box of type `nclx` instead of an ICC profile.
 */
export interface Nclx {
  primaries: number;
  transfer: number;
  matrix: number;
  fullRange: boolean;
}

type Matrix3 = [[number, number, number], [number, number, number], [number, number, number]];
type Xy = [number, number];

const D65: Xy = [0.3127, 0.329];
/** The ICC profile connection space's white. */
export const D50_XYZ: [number, number, number] = [0.9642, 1, 0.8249];

/** Red, green, blue and white chromaticities of the primaries code points photos use; others read as BT.709's. */
const PRIMARIES: Record<number, [Xy, Xy, Xy, Xy]> = {
  1: [[0.64, 0.33], [0.3, 0.6], [0.15, 0.06], D65], // BT.709, sRGB
  5: [[0.64, 0.33], [0.29, 0.6], [0.15, 0.06], D65], // BT.601 625
  6: [[0.63, 0.34], [0.31, 0.595], [0.155, 0.07], D65], // BT.601 525
  7: [[0.63, 0.34], [0.31, 0.595], [0.155, 0.07], D65], // SMPTE 240M
  9: [[0.708, 0.292], [0.17, 0.797], [0.131, 0.046], D65], // BT.2020, BT.2100
  11: [
    [0.68, 0.32],
    [0.265, 0.69],
    [0.15, 0.06],
    [0.314, 0.351],
  ], // DCI-P3
  12: [[0.68, 0.32], [0.265, 0.69], [0.15, 0.06], D65], // Display P3 (SMPTE EG 432-1)
  22: [[0.63, 0.34], [0.295, 0.605], [0.155, 0.077], D65], // EBU Tech 3213
};

/** Primaries that need no conversion to sRGB: BT.709's own, and "unspecified". */
export const isSrgbPrimaries = (code: number) => !(code in PRIMARIES) || code === 1;

/** Transfer code points of HDR: SMPTE ST 2084 (PQ) and ARIB STD-B67 (HLG). */
export const TRANSFER_PQ = 16;
export const TRANSFER_HLG = 18;

const xyz = ([x, y]: Xy): [number, number, number] => [x / y, 1, (1 - x - y) / y];

function multiply(a: Matrix3, b: Matrix3): Matrix3 {
  return a.map((row) => [0, 1, 2].map((j) => row[0] * b[0][j]! + row[1] * b[1][j]! + row[2] * b[2][j]!)) as Matrix3;
}

function apply(m: Matrix3, v: readonly [number, number, number]): [number, number, number] {
  return m.map((row) => row[0] * v[0] + row[1] * v[1] + row[2] * v[2]) as [number, number, number];
}

function invert(m: Matrix3): Matrix3 {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}

const BRADFORD: Matrix3 = [
  [0.8951, 0.2664, -0.1614],
  [-0.7502, 1.7135, 0.0367],
  [0.0389, -0.0685, 1.0296],
];

/** Bradford chromatic adaptation from one white (XYZ) to another. */
function adaptation(from: [number, number, number], to: [number, number, number]): Matrix3 {
  const [s, d] = [apply(BRADFORD, from), apply(BRADFORD, to)];
  const scale: Matrix3 = [
    [d[0] / s[0], 0, 0],
    [0, d[1] / s[1], 0],
    [0, 0, d[2] / s[2]],
  ];
  return multiply(invert(BRADFORD), multiply(scale, BRADFORD));
}

/**
 * Linear RGB in these primaries to XYZ, adapted to the white `to` (D65 for
 * sRGB's own, D50 for an ICC profile's colorants); its columns are the
 * primaries' XYZ.
 */
export function rgbToXyz(primaries: number, to: 'd65' | 'd50'): Matrix3 {
  const [r, g, b, white] = PRIMARIES[primaries] ?? PRIMARIES[1]!;
  const columns = [xyz(r), xyz(g), xyz(b)];
  const unscaled = [0, 1, 2].map((i) => columns.map((column) => column[i]!)) as Matrix3;
  const scale = apply(invert(unscaled), xyz(white));
  const matrix = unscaled.map((row) => row.map((v, j) => v * scale[j]!)) as Matrix3;
  return multiply(adaptation(xyz(white), to === 'd50' ? D50_XYZ : xyz(D65)), matrix);
}

/** Linear RGB in these primaries to linear BT.709/sRGB RGB (same white point, D65). */
export const toBt709 = (primaries: number): Matrix3 => multiply(invert(rgbToXyz(1, 'd65')), rgbToXyz(primaries, 'd65'));
