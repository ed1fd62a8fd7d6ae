import { mobius, PEAK_NITS, REFERENCE_WHITE_NITS } from './hdr-tone-map.js';
import { toBt709, TRANSFER_HLG, TRANSFER_PQ, type Nclx } from './nclx.js';

/**
 * HDR stills (a HEIC whose nclx transfer is PQ or HLG, BT.2020: cameras' "HDR
 * PQ HEIF", some Android HDR photos) tone-mapped to SDR on the decoded pixels,
 * with the mapping HDR clips get (hdr-tone-map.ts), step for step as zscale
 * and `tonemap` take them: display light relative to reference white, BT.709
 * primaries in linear light, Möbius on the brightest channel (which scales a
 * pixel's three components alike, so hues stay), BT.1886's inverse. A still
 * and a clip of one scene come out with the same numbers.
 */

export const isHdrTransfer = (nclx: Pick<Nclx, 'transfer'>) =>
  nclx.transfer === TRANSFER_PQ || nclx.transfer === TRANSFER_HLG;

const [M1, M2, C1, C2, C3] = [2610 / 16384, (2523 / 4096) * 128, 3424 / 4096, (2413 / 4096) * 32, (2392 / 4096) * 32];
/** SMPTE ST 2084 (PQ): signal to cd/m². */
const pqToNits = (e: number) => {
  const p = e ** (1 / M2);
  return 10_000 * (Math.max(p - C1, 0) / (C2 - C3 * p)) ** (1 / M1);
};

const [HLG_A, HLG_B, HLG_C] = [0.17883277, 0.28466892, 0.55991073];
/**
 * ARIB STD-B67 (HLG): signal to display light on its nominal 1000 cd/m² display, through the OOTF (system gamma
 * 1.2) as zscale applies it by default, on each channel. BT.2100 applies it on luminance; the exact form doubles
 * zscale's time on a clip, and a still must match its clip.
 */
const hlgToNits = (e: number) => {
  const scene = e <= 0.5 ? (e * e) / 3 : (Math.exp((e - HLG_C) / HLG_A) + HLG_B) / 12;
  return PEAK_NITS * scene ** 1.2;
};

/** f on [0, 1], tabulated over √x (fine near black, where curves are steep) and interpolated. */
function tabulated(f: (x: number) => number, size = 2048): (x: number) => number {
  const table = Float64Array.from({ length: size + 1 }, (_, i) => f((i / size) ** 2));
  return (x) => {
    const at = Math.sqrt(Math.min(Math.max(x, 0), 1)) * size;
    const i = Math.min(Math.floor(at), size - 1);
    return table[i]! + (table[i + 1]! - table[i]!) * (at - i);
  };
}

/** BT.1886's inverse (gamma 1/2.4): what zscale's BT.709 transfer is for display light, to 8-bit codes. */
const bt1886Encode = tabulated((v) => 255 * v ** (1 / 2.4));

export interface ToneMapOptions {
  /** Decoded RGBA, 8 bits a channel, full range, in the photo's nclx primaries and transfer; rewritten in place. */
  rgba: Uint8Array | Uint8ClampedArray;
  nclx: Pick<Nclx, 'primaries' | 'transfer'>;
}

/** Tone-maps an HDR still to SDR, in place (alpha untouched). */
export function toneMapStill({ rgba, nclx }: ToneMapOptions): void {
  const toNits = nclx.transfer === TRANSFER_HLG ? hlgToNits : pqToNits;
  // Each 8-bit code's display light, in reference-white units.
  const light = Float64Array.from({ length: 256 }, (_, code) => toNits(code / 255) / REFERENCE_WHITE_NITS);
  const [[m00, m01, m02], [m10, m11, m12], [m20, m21, m22]] = toBt709(nclx.primaries);
  // Scalars only in this loop: it runs once per pixel of a 12-megapixel photo.
  for (let i = 0; i < rgba.length; i += 4) {
    const r = light[rgba[i]!]!;
    const g = light[rgba[i + 1]!]!;
    const b = light[rgba[i + 2]!]!;
    const r709 = Math.max(m00 * r + m01 * g + m02 * b, 0);
    const g709 = Math.max(m10 * r + m11 * g + m12 * b, 0);
    const b709 = Math.max(m20 * r + m21 * g + m22 * b, 0);
    const brightest = Math.max(r709, g709, b709);
    const scale = brightest > 0 ? mobius(brightest) / brightest : 0;
    rgba[i] = Math.round(bt1886Encode(r709 * scale));
    rgba[i + 1] = Math.round(bt1886Encode(g709 * scale));
    rgba[i + 2] = Math.round(bt1886Encode(b709 * scale));
  }
}
