/**
 * How sharp a photo's sharpest part is, as a person judges focus: fog, sky,
 * dusk or a plain wall are sharp when what little detail they hold is crisp,
 * however little there is of it; a photo smeared by a moving camera is not,
 * though its edges along the movement stay crisp.
 *
 * The luminance (at the analysis scale) is cut into tiles, and each tile is
 * judged along four directions (across, down, both diagonals). Along a
 * direction with enough contrast to judge, the RMS second difference is
 * divided by the RMS first difference: for an edge blurred over w pixels the
 * first goes as 1/w and the second as 1/w², so the ratio goes as 1/w whatever
 * the edge's contrast (texture and contrast do not decide it; crispness does).
 * Each direction's measure is the 90th percentile over its tiles (the sharpest
 * part, not one stray tile); the photo's is the weakest direction's. Out of
 * focus, every direction is soft; shaken, the direction of the shake is.
 */

/** Tile side, in pixels at the analysis scale (512 on the long side). */
const TILE = 32;
/** Below this RMS first difference (grey levels per pixel) a tile has too little contrast to judge along a direction. */
const MIN_CONTRAST = 2;
/** The share of judged tiles a direction's sharpest part is taken at. */
const PERCENTILE = 0.9;
/** Across, down, and the two diagonals, as steps in pixels. */
const DIRECTIONS: Array<[number, number]> = [
  [1, 0],
  [0, 1],
  [1, 1],
  [1, -1],
];

/**
 * Below this the sharpest part is clearly soft, in absolute terms. Calibrated
 * on the real photos in tests/fixtures/photos measured at 512 px: sharp ones
 * score 1.47 to 2.21 (an astronaut 1.47, a harbour rocket 2.21); blurred with a
 * Gaussian of σ = 1 px they score 0.88 to 1.69 (slightly soft, kept); σ = 3 px
 * at most 0.60, a lens disc of 4 px at most 0.71, and the clock photographed
 * while the camera moved 0.64 (dropped).
 */
export const BLURRY_BELOW = 0.8;

/** One tile's crispness along (dx, dy), or null when it has too little contrast that way. */
function tileScore(
  gray: Float32Array,
  width: number,
  tile: { left: number; top: number },
  [dx, dy]: [number, number],
): number | null {
  const step = dy * width + dx;
  const length = Math.hypot(dx, dy);
  let first = 0;
  let second = 0;
  let secondSum = 0;
  let count = 0;
  for (let y = tile.top; y < tile.top + TILE; y++) {
    for (let x = tile.left; x < tile.left + TILE; x++) {
      const i = y * width + x;
      const d1 = (gray[i + step]! - gray[i - step]!) / (2 * length);
      const d2 = (gray[i + step]! + gray[i - step]! - 2 * gray[i]!) / (length * length);
      first += d1 * d1;
      second += d2 * d2;
      secondSum += d2;
      count++;
    }
  }
  const rmsFirst = Math.sqrt(first / count);
  if (rmsFirst < MIN_CONTRAST) return null;
  const variance = second / count - (secondSum / count) ** 2;
  return Math.sqrt(Math.max(0, variance)) / rmsFirst;
}

/**
 * The sharpness of the photo's sharpest part (see above), from its luminance;
 * null when no part has the contrast to judge (a photo of fog alone), which is
 * never called blurry.
 */
export function peakSharpness(gray: Float32Array, width: number, height: number): number | null {
  const perDirection = DIRECTIONS.map(() => [] as number[]);
  // Tiles start one pixel in, so that every neighbour a step away is inside the photo.
  for (let top = 1; top + TILE <= height - 1; top += TILE) {
    for (let left = 1; left + TILE <= width - 1; left += TILE) {
      DIRECTIONS.forEach((direction, k) => {
        const score = tileScore(gray, width, { left, top }, direction);
        if (score !== null) perDirection[k]!.push(score);
      });
    }
  }
  const peaks = perDirection
    .filter((scores) => scores.length > 0)
    .map(
      (scores) => scores.sort((a, b) => a - b)[Math.min(scores.length - 1, Math.floor(scores.length * PERCENTILE))]!,
    );
  if (peaks.length === 0) return null;
  return Math.round(Math.min(...peaks) * 1000) / 1000;
}
