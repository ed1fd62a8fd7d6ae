/**
 * How sharp a photo's sharpest part is, as a person judges focus: fog, sky,
 * dusk or a plain wall are sharp when what little detail they hold is crisp,
 * however little there is of it.
 *
 * The luminance (at the analysis scale) is cut into tiles. In each tile with
 * enough contrast to judge, the RMS Laplacian is divided by the RMS gradient:
 * for an edge blurred over w pixels the gradient goes as 1/w and the Laplacian
 * as 1/w², so the ratio goes as 1/w whatever the edge's contrast (texture and
 * contrast do not decide it; crispness does). The photo's measure is the 90th
 * percentile over those tiles: its sharpest part, not one stray tile.
 */

/** Tile side, in pixels at the analysis scale (512 on the long side). */
const TILE = 32;
/** A tile whose RMS gradient (grey levels per pixel) is below this has too little contrast to judge: flat sky, fog. */
const MIN_CONTRAST = 3;
/** The share of judged tiles the photo's sharpest part is taken at. */
const PERCENTILE = 0.9;

/**
 * Below this the sharpest part is clearly soft, in absolute terms. Calibrated
 * on the real photos in tests/fixtures/photos measured at 512 px: sharp ones
 * score 2.1 to 3.5 (a dusk sky with a small rocket 3.5, a cat 2.1); blurred
 * with a Gaussian of σ = 1 px they score 1.1 to 1.9 (slightly soft, kept);
 * σ = 2 px at most 0.97, σ = 3 px at most 0.73 (out of focus, dropped).
 */
export const BLURRY_BELOW = 1.2;

function tileScore(gray: Float32Array, width: number, left: number, top: number): number | null {
  let gradient = 0;
  let laplacian = 0;
  let laplacianSum = 0;
  let count = 0;
  for (let y = top + 1; y < top + TILE - 1; y++) {
    for (let x = left + 1; x < left + TILE - 1; x++) {
      const i = y * width + x;
      const gx = (gray[i + 1]! - gray[i - 1]!) / 2;
      const gy = (gray[i + width]! - gray[i - width]!) / 2;
      const l = gray[i - width]! + gray[i + width]! + gray[i - 1]! + gray[i + 1]! - 4 * gray[i]!;
      gradient += gx * gx + gy * gy;
      laplacian += l * l;
      laplacianSum += l;
      count++;
    }
  }
  const rmsGradient = Math.sqrt(gradient / count);
  if (rmsGradient < MIN_CONTRAST) return null;
  const variance = laplacian / count - (laplacianSum / count) ** 2;
  return Math.sqrt(Math.max(0, variance)) / rmsGradient;
}

/**
 * The sharpness of the photo's sharpest part (see above), from its luminance;
 * null when no part has the contrast to judge (a photo of fog alone), which is
 * never called blurry.
 */
export function peakSharpness(gray: Float32Array, width: number, height: number): number | null {
  const scores: number[] = [];
  for (let top = 0; top + TILE <= height; top += TILE) {
    for (let left = 0; left + TILE <= width; left += TILE) {
      const score = tileScore(gray, width, left, top);
      if (score !== null) scores.push(score);
    }
  }
  if (scores.length === 0) return null;
  scores.sort((a, b) => a - b);
  const value = scores[Math.min(scores.length - 1, Math.floor(scores.length * PERCENTILE))]!;
  return Math.round(value * 1000) / 1000;
}
