/**
 * The one HDR-to-SDR mapping, for clips (ffmpeg's `tonemap` in clip-frames.ts)
 * and stills (hdr-still.ts, the same curve in JS): display light in BT.709
 * primaries, 1.0 at BT.2408's reference white; Möbius on each pixel's
 * brightest channel, the identity up to MOBIUS_KNEE, rolling PEAK_NITS off to
 * SDR white; then BT.1886's inverse (zscale's BT.709 transfer, display-referred).
 */

/** BT.2408's HDR reference white (cd/m²): where an HDR picture puts what SDR shows as white (HLG 75 %, PQ 58 %). */
export const REFERENCE_WHITE_NITS = 203;
/** The light rolled off to SDR white: HLG's nominal display peak (zscale's), and the peak assumed of PQ. */
export const PEAK_NITS = 1000;
/** Möbius's knee, in reference-white units: below it, light is left as it is. */
export const MOBIUS_KNEE = 0.5;

/** The peak in reference-white units, as `tonemap`'s `peak` option takes it. */
export const TONEMAP_PEAK = Number((PEAK_NITS / REFERENCE_WHITE_NITS).toFixed(3));

const PEAK = TONEMAP_PEAK;
// ffmpeg's vf_tonemap.c `mobius`, with j = MOBIUS_KNEE and its peak: a curve through (j, j) and (peak, 1).
const J = MOBIUS_KNEE;
const A = (-J * J * (PEAK - 1)) / (J * J - 2 * J + PEAK);
const B = (J * J - 2 * J * PEAK + PEAK) / (PEAK - 1);
const SCALE = (B * B + 2 * B * J + J * J) / (B - A);

/** `tonemap=mobius` on light in reference-white units (1 = reference white); 1 at PEAK_NITS. */
export const mobius = (light: number) => (light <= J ? light : (SCALE * (light + A)) / (light + B));
