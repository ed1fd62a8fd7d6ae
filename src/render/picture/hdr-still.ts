import { toBt709, TRANSFER_HLG, TRANSFER_PQ, type Nclx } from './nclx.js';

/**
 * HDR stills (a HEIC whose nclx transfer is PQ or HLG, BT.2020: cameras' "HDR
 * PQ HEIF", some Android HDR photos) tone-mapped to SDR sRGB, on the decoded
 * pixels. The mapping is the one the renderer wants for HDR clips: display
 * light relative to BT.2408's reference white (203 cd/m², PQ 58 %, HLG 75 %),
 * BT.2020 to BT.709 primaries in linear light, then BT.2390's roll-off on the
 * brightest component (which scales a pixel's three components alike, so hues
 * stay): shadows and midtones up to about half of reference white are kept as
 * they are, highlights up to the content's peak are compressed into what is
 * left, and reference white lands near SDR white (about 227 of 255).
 */

/** BT.2408's HDR reference white (cd/m²): where SDR's 100 % sits; SDR white of the result. */
const REFERENCE_WHITE_NITS = 203;
/** HLG's nominal display peak (BT.2100), and a PQ photo's when it states none (the usual mastering peak). */
const DEFAULT_PEAK_NITS = 1000;

export const isHdrTransfer = (nclx: Pick<Nclx, 'transfer'>) =>
  nclx.transfer === TRANSFER_PQ || nclx.transfer === TRANSFER_HLG;

const [M1, M2, C1, C2, C3] = [2610 / 16384, (2523 / 4096) * 128, 3424 / 4096, (2413 / 4096) * 32, (2392 / 4096) * 32];
/** SMPTE ST 2084: signal to cd/m², and back. */
const pqToNits = (e: number) => {
  const p = e ** (1 / M2);
  return 10_000 * (Math.max(p - C1, 0) / (C2 - C3 * p)) ** (1 / M1);
};
const nitsToPq = (nits: number) => {
  const y = (Math.max(nits, 0) / 10_000) ** M1;
  return ((C1 + C2 * y) / (1 + C3 * y)) ** M2;
};

const [HLG_A, HLG_B, HLG_C] = [0.17883277, 0.28466892, 0.55991073];
/** ARIB STD-B67 (HLG): signal to scene light, 0 to 1. */
const hlgToScene = (e: number) => (e <= 0.5 ? (e * e) / 3 : (Math.exp((e - HLG_C) / HLG_A) + HLG_B) / 12);
/** BT.2100's HLG system gamma for a 1000 cd/m² display, and its luma weights. */
const HLG_GAMMA = 1.2;
const BT2100_LUMA = [0.2627, 0.678, 0.0593] as const;

/**
 * BT.2390's EETF (section 5.4): a source of `peak` cd/m² onto a display of
 * `target`, in PQ space; identity below the knee, a Hermite spline above it.
 */
function eetf(nits: number, peak: number, target: number): number {
  const span = nitsToPq(peak);
  const e1 = Math.min(nitsToPq(nits) / span, 1);
  const maxLum = nitsToPq(target) / span;
  const knee = 1.5 * maxLum - 0.5;
  if (e1 < knee) return nits;
  const t = (e1 - knee) / (1 - knee);
  const e2 =
    (2 * t ** 3 - 3 * t ** 2 + 1) * knee + (t ** 3 - 2 * t ** 2 + t) * (1 - knee) + (-2 * t ** 3 + 3 * t ** 2) * maxLum;
  return pqToNits(e2 * span);
}

/** f on [0, 1], tabulated over √x (fine near black, where curves are steep) and interpolated. */
function tabulated(f: (x: number) => number, size = 2048): (x: number) => number {
  const table = Float64Array.from({ length: size + 1 }, (_, i) => f((i / size) ** 2));
  return (x) => {
    const at = Math.sqrt(Math.min(Math.max(x, 0), 1)) * size;
    const i = Math.min(Math.floor(at), size - 1);
    return table[i]! + (table[i + 1]! - table[i]!) * (at - i);
  };
}

const srgbEncode = tabulated((v) => 255 * (v <= 0.0031308 ? 12.92 * v : 1.055 * v ** (1 / 2.4) - 0.055));

export interface ToneMapOptions {
  /** Decoded RGBA, 8 bits a channel, full range, in the photo's nclx primaries and transfer; rewritten in place. */
  rgba: Uint8Array | Uint8ClampedArray;
  nclx: Pick<Nclx, 'primaries' | 'transfer'>;
  /** The content's peak light (`clli`, `mdcv`), cd/m²; null for HLG's nominal 1000 or PQ's usual 1000. */
  peakNits: number | null;
}

/** Tone-maps an HDR still to SDR sRGB, in place (alpha untouched). */
export function toneMapStill({ rgba, nclx, peakNits }: ToneMapOptions): void {
  const hlg = nclx.transfer === TRANSFER_HLG;
  const peak = hlg
    ? DEFAULT_PEAK_NITS
    : Math.min(Math.max(peakNits ?? DEFAULT_PEAK_NITS, REFERENCE_WHITE_NITS), 10_000);
  // Display light of each 8-bit code: PQ's absolute; HLG's scene light, lit by the OOTF below.
  const light = Float64Array.from({ length: 256 }, (_, code) => (hlg ? hlgToScene(code / 255) : pqToNits(code / 255)));
  const toneMap = tabulated((x) => eetf(x * peak, peak, REFERENCE_WHITE_NITS) / REFERENCE_WHITE_NITS);
  const [[m00, m01, m02], [m10, m11, m12], [m20, m21, m22]] = toBt709(nclx.primaries);
  const [kr, kg, kb] = BT2100_LUMA;
  // HLG's OOTF (BT.2100): display light = peak × scene luminance^(γ − 1) × scene light, on luminance so hues stay.
  const ootfGain = tabulated((luma) => DEFAULT_PEAK_NITS * luma ** (HLG_GAMMA - 1));
  // Scalars only in this loop: it runs once per pixel of a 12-megapixel photo.
  for (let i = 0; i < rgba.length; i += 4) {
    let r = light[rgba[i]!]!;
    let g = light[rgba[i + 1]!]!;
    let b = light[rgba[i + 2]!]!;
    if (hlg) {
      const gain = ootfGain(kr * r + kg * g + kb * b);
      r *= gain;
      g *= gain;
      b *= gain;
    }
    const r709 = Math.max(m00 * r + m01 * g + m02 * b, 0);
    const g709 = Math.max(m10 * r + m11 * g + m12 * b, 0);
    const b709 = Math.max(m20 * r + m21 * g + m22 * b, 0);
    const brightest = Math.max(r709, g709, b709);
    // The curve's output (in reference-white units) over its input, applied to all three components.
    const scale = brightest > 0 ? toneMap(brightest / peak) / brightest : 0;
    rgba[i] = Math.round(srgbEncode(r709 * scale));
    rgba[i + 1] = Math.round(srgbEncode(g709 * scale));
    rgba[i + 2] = Math.round(srgbEncode(b709 * scale));
  }
}
