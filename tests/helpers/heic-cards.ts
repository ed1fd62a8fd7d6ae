import sharp from 'sharp';
import { FFMPEG_BUILDS } from './ffmpeg-builds.js';
import { heifFile, hevcIntra, type ColourProperty } from './heif.js';
import { H, patchPixels, W, type Rgb } from './patches.js';

/**
 * The test card as a HEIC, coded as phones and cameras code theirs. The
 * pixels are put in each colour space by libvips (lcms) or zimg, never by the
 * code under test, so a decoder that reads the colour wrong cannot agree.
 */
export type HeicCard =
  /** Display P3 by nclx code points, no ICC profile (Samsung, Pixel): primaries 12, sRGB curve, BT.601 full range. */
  | 'p3-nclx-8bit'
  /**
   * BT.2020 primaries, BT.709 transfer, 10 bits, limited range (a camera's SDR HEIF). The numbers carry sRGB's
   * curve, as a browser reads BT.709-family transfers in a still (Chrome treats them as sRGB).
   */
  | 'bt2020-nclx-10bit'
  /** Main 10 with an ICC profile (Display P3), as an iPhone writes 10-bit HEIC. */
  | 'p3-icc-10bit'
  /** HDR, BT.2100: PQ or HLG, BT.2020, 10 bits; SDR white at BT.2408's reference white, 203 cd/m². */
  | 'pq'
  | 'hlg';

const ffmpeg = FFMPEG_BUILDS.debian;
const NCLX = {
  'p3-nclx-8bit': { primaries: 12, transfer: 13, matrix: 6, fullRange: true },
  'bt2020-nclx-10bit': { primaries: 9, transfer: 1, matrix: 9, fullRange: false },
  pq: { primaries: 9, transfer: 16, matrix: 9, fullRange: false },
  hlg: { primaries: 9, transfer: 18, matrix: 9, fullRange: false },
};
const ZSCALE_TRANSFER = { 'bt2020-nclx-10bit': 'iec61966-2-1', pq: 'smpte2084', hlg: 'arib-std-b67' };

/** The card's sRGB numbers in Display P3, by lcms, and the P3 profile libvips embeds. */
async function inP3(pixels: Buffer): Promise<{ p3: Buffer; icc: Uint8Array }> {
  const image = () => sharp(pixels, { raw: { width: W, height: H, channels: 3 } }).withIccProfile('p3');
  const { icc } = await sharp(await image().png().toBuffer()).metadata();
  return { p3: await image().raw().toBuffer(), icc: icc! };
}

export interface HeicCardOptions {
  /** The card's eight sRGB colours (PATCHES by default). */
  patches?: Rgb[];
}

/** The card as one HEVC intra frame, and the `colr` property its HEIC states. */
export async function cardFrame(
  card: HeicCard,
  options: HeicCardOptions = {},
): Promise<{ hevc: Uint8Array; colour: ColourProperty }> {
  const pixels = patchPixels(options.patches);
  const frame = { ffmpeg, width: W, height: H };
  if (card === 'p3-nclx-8bit' || card === 'p3-icc-10bit') {
    const { p3, icc } = await inP3(pixels);
    const tenBit = card === 'p3-icc-10bit';
    const hevc = hevcIntra({
      ...frame,
      rgb: tenBit ? Uint16Array.from(p3, (v) => v * 257) : p3,
      bitDepth: tenBit ? 10 : 8,
      ...(tenBit ? { matrix: 1, fullRange: false } : NCLX[card]),
    });
    return { hevc, colour: tenBit ? { icc } : { nclx: NCLX[card] } };
  }
  // By zimg. HDR: the SDR codes as display light (BT.1886, zscale's BT.709), SDR white at 203 cd/m² (npl), as the
  // clip tests make theirs; BT.2020 SDR: sRGB's curve kept, the primaries converted.
  const from = card === 'bt2020-nclx-10bit' ? 'iec61966-2-1' : 'bt709';
  const hevc = hevcIntra({
    ...frame,
    rgb: pixels,
    bitDepth: 10,
    matrix: 9,
    fullRange: false,
    filter:
      `zscale=tin=${from}:pin=bt709:min=gbr:rin=full:npl=203:` +
      `t=${ZSCALE_TRANSFER[card]}:p=bt2020:m=bt2020nc:r=tv,format=yuv420p10le`,
  });
  return { hevc, colour: { nclx: NCLX[card] } };
}

export async function heicCard(card: HeicCard, options: HeicCardOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
  return heifFile({ width: W, height: H, ...(await cardFrame(card, options)) });
}
