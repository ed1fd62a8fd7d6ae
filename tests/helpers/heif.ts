import { spawnSync } from 'node:child_process';
import type { Nclx } from '../../src/render/picture/nclx.js';

/**
 * HEIC files written here from one HEVC intra frame, so tests can make a photo
 * with any colour description a phone or camera writes (nclx code points or an
 * ICC profile, 8 or 10 bits, HDR transfers, a rotation) without a HEIF encoder:
 * ffmpeg's libx265 codes the frame, and this module wraps it in the smallest
 * valid HEIF (ISO/IEC 23008-12): ftyp, meta (hdlr, pitm, iinf, iloc, iprp), mdat.
 */

/** A `colr` property: nclx code points (ISO/IEC 23091-2, H.273), or an ICC profile. */
export type ColourProperty = { nclx: Nclx } | { icc: Uint8Array };

/** ffmpeg's names for the matrices these tests code with. */
const FFMPEG_MATRIX: Record<number, string> = { 1: 'bt709', 5: 'bt470bg', 6: 'smpte170m', 9: 'bt2020nc' };

export interface HevcOptions {
  /** An ffmpeg with libx265 (Debian's). */
  ffmpeg: string;
  width: number;
  height: number;
  /** Interleaved RGB: 8-bit codes, or 16-bit ones (for a 10-bit frame that keeps its precision). */
  rgb: Uint8Array | Uint16Array;
  bitDepth: 8 | 10;
  /** The YCbCr matrix and range the frame is coded with (H.273 matrix code point), and tagged with. */
  matrix: number;
  fullRange: boolean;
  /** The ffmpeg filter from the RGB to YCbCr, when the matrix and range alone do not say it (an HDR transfer). */
  filter?: string;
}

/** One intra frame of HEVC (Annex B byte stream), 4:2:0, nearly lossless. */
export function hevcIntra(options: HevcOptions): Uint8Array {
  const { width, height, rgb, bitDepth, matrix, fullRange } = options;
  const input = rgb instanceof Uint16Array ? 'rgb48le' : 'rgb24';
  const range = fullRange ? 'pc' : 'tv';
  const result = spawnSync(
    options.ffmpeg,
    [
      ...['-hide_banner', '-v', 'error', '-nostdin'],
      ...['-f', 'rawvideo', '-pix_fmt', input, '-s', `${width}x${height}`, '-i', 'pipe:0'],
      '-vf',
      options.filter ??
        `scale=out_color_matrix=${FFMPEG_MATRIX[matrix]}:out_range=${range}:flags=accurate_rnd+full_chroma_int`,
      ...['-pix_fmt', bitDepth === 10 ? 'yuv420p10le' : 'yuv420p', '-frames:v', '1'],
      ...['-c:v', 'libx265', '-x265-params', 'log-level=error:qp=2'],
      ...['-colorspace', FFMPEG_MATRIX[matrix]!, '-color_range', range, '-f', 'hevc', 'pipe:1'],
    ],
    { input: Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), maxBuffer: 256 * 1024 * 1024 },
  );
  if (result.status !== 0) throw new Error(`ffmpeg exited ${result.status}: ${result.stderr.toString()}`);
  return new Uint8Array(result.stdout);
}

/** The NAL units of an Annex B byte stream, start codes removed. */
function nalUnits(stream: Uint8Array): Uint8Array[] {
  const starts: Array<{ at: number; code: number }> = [];
  for (let i = 0; i + 2 < stream.length; i++) {
    if (stream[i] === 0 && stream[i + 1] === 0 && stream[i + 2] === 1) {
      starts.push({ at: i + 3, code: i > 0 && stream[i - 1] === 0 ? 4 : 3 });
      i += 2;
    }
  }
  return starts.map(({ at }, n) => {
    const next = starts[n + 1];
    return stream.subarray(at, next ? next.at - next.code : stream.length);
  });
}

const nalType = (nal: Uint8Array) => (nal[0]! >> 1) & 0x3f;
const [VPS, SPS, PPS] = [32, 33, 34];

/** A NAL unit's payload without its emulation-prevention bytes (00 00 03 → 00 00). */
function rbsp(nal: Uint8Array): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < nal.length; i++) {
    if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue;
    out.push(nal[i]!);
  }
  return Uint8Array.from(out);
}

/** Reads the SPS fields an hvcC repeats: the general profile, tier and level (12 bytes), chroma format, bit depths. */
function spsFacts(sps: Uint8Array) {
  const bytes = rbsp(sps);
  if (((bytes[2]! >> 1) & 7) !== 0) throw new Error('only single-layer streams (sps_max_sub_layers_minus1 = 0)');
  let bit = 15 * 8; // NAL header (2), vps id / sub-layers / nesting (1), general profile_tier_level (12)
  const read = () => (bytes[bit >> 3]! >> (7 - (bit++ & 7))) & 1;
  const ue = () => {
    let zeros = 0;
    while (read() === 0) zeros++;
    let value = 1;
    for (let i = 0; i < zeros; i++) value = (value << 1) | read();
    return value - 1;
  };
  ue(); // sps_seq_parameter_set_id
  const chromaFormat = ue();
  if (chromaFormat === 3) read(); // separate_colour_plane_flag
  ue(); // pic_width_in_luma_samples
  ue(); // pic_height_in_luma_samples
  if (read()) for (let i = 0; i < 4; i++) ue(); // conformance window offsets
  return { profileTierLevel: bytes.subarray(3, 15), chromaFormat, bitDepthLuma: ue() + 8, bitDepthChroma: ue() + 8 };
}

function box(type: string, ...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

const fullBox = (type: string, version: number, flags: number, ...parts: Uint8Array[]) =>
  box(type, Buffer.from([version, (flags >> 16) & 0xff, (flags >> 8) & 0xff, flags & 0xff]), ...parts);

const u16 = (...values: number[]) => Buffer.from(values.flatMap((v) => [v >> 8, v & 0xff]));
const u32 = (...values: number[]) => {
  const out = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => out.writeUInt32BE(v, i * 4));
  return out;
};

/** The HEVC decoder configuration record (ISO/IEC 14496-15, 8.3.3), with the stream's VPS, SPS and PPS. */
function hvcC(parameterSets: Uint8Array[]): Buffer {
  const facts = spsFacts(parameterSets.find((nal) => nalType(nal) === SPS)!);
  const arrays = [VPS, SPS, PPS].map((type) => {
    const units = parameterSets.filter((nal) => nalType(nal) === type);
    return Buffer.concat([
      Buffer.from([0x80 | type]), // array_completeness 1
      u16(units.length),
      ...units.flatMap((nal) => [u16(nal.length), nal]),
    ]);
  });
  return box(
    'hvcC',
    Buffer.from([1]),
    facts.profileTierLevel,
    Buffer.from([
      0xf0, // reserved, min_spatial_segmentation_idc 0
      0x00,
      0xfc, // reserved, parallelismType 0
      0xfc | facts.chromaFormat,
      0xf8 | (facts.bitDepthLuma - 8),
      0xf8 | (facts.bitDepthChroma - 8),
      0x00, // avgFrameRate
      0x00,
      0x0f, // constantFrameRate 0, numTemporalLayers 1, temporalIdNested 1, lengthSizeMinusOne 3
      arrays.length,
    ]),
    ...arrays,
  );
}

function colr(colour: ColourProperty): Buffer {
  if ('icc' in colour) return box('colr', Buffer.from('prof', 'latin1'), colour.icc);
  const { primaries, transfer, matrix, fullRange } = colour.nclx;
  return box(
    'colr',
    Buffer.from('nclx', 'latin1'),
    u16(primaries, transfer, matrix),
    Buffer.from([fullRange ? 0x80 : 0]),
  );
}

export interface HeifFileOptions {
  /** One intra-coded HEVC frame, as an Annex B byte stream (see hevcIntra). */
  hevc: Uint8Array;
  width: number;
  height: number;
  /** The `colr` property; none says nothing of the colour (as libheif's heif-enc writes an sRGB photo). */
  colour?: ColourProperty;
  /** `irot`: turns the decoded image anticlockwise by this many degrees, for display. */
  rotation?: 0 | 90 | 180 | 270;
  /**
   * `imir`, after any rotation: axis 0 swaps top and bottom, axis 1 left and right (as libheif and the
   * standard's later editions read it).
   */
  mirror?: 'top-bottom' | 'left-right';
}

/** A HEIF file holding the frame as its one (primary) image, item 1, with the properties asked for. */
export function heifFile(options: HeifFileOptions): Uint8Array<ArrayBuffer> {
  const units = nalUnits(options.hevc);
  const parameterSets = units.filter((nal) => [VPS, SPS, PPS].includes(nalType(nal)));
  const data = Buffer.concat(
    units.filter((nal) => !parameterSets.includes(nal)).flatMap((nal) => [u32(nal.length), nal]),
  );
  const bitDepth = spsFacts(parameterSets.find((nal) => nalType(nal) === SPS)!).bitDepthLuma;
  const properties: Array<{ box: Buffer; essential: boolean }> = [
    { box: hvcC(parameterSets), essential: true },
    { box: fullBox('ispe', 0, 0, u32(options.width, options.height)), essential: false },
    { box: fullBox('pixi', 0, 0, Buffer.from([3, bitDepth, bitDepth, bitDepth])), essential: false },
  ];
  if (options.colour) properties.push({ box: colr(options.colour), essential: false });
  // Transformative properties come after the descriptive ones, in the order they apply.
  if (options.rotation) properties.push({ box: box('irot', Buffer.from([options.rotation / 90])), essential: true });
  if (options.mirror)
    properties.push({ box: box('imir', Buffer.from([options.mirror === 'left-right' ? 1 : 0])), essential: true });
  const ipma = fullBox(
    'ipma',
    0,
    0,
    u32(1),
    u16(1),
    Buffer.from([properties.length, ...properties.map((p, i) => (p.essential ? 0x80 : 0) | (i + 1))]),
  );
  const ftyp = box('ftyp', Buffer.from('heic', 'latin1'), u32(0), Buffer.from('mif1heic', 'latin1'));
  const meta = (dataOffset: number) =>
    fullBox(
      'meta',
      0,
      0,
      fullBox('hdlr', 0, 0, u32(0), Buffer.from('pict', 'latin1'), u32(0, 0, 0), Buffer.from([0])),
      fullBox('pitm', 0, 0, u16(1)),
      fullBox('iinf', 0, 0, u16(1), fullBox('infe', 2, 0, u16(1, 0), Buffer.from('hvc1\0', 'latin1'))),
      // offset_size 4, length_size 4, base_offset_size 0; item 1, data reference 0, one extent.
      fullBox('iloc', 0, 0, Buffer.from([0x44, 0x00]), u16(1, 1, 0, 1), u32(dataOffset, data.length)),
      box('iprp', box('ipco', ...properties.map((p) => p.box)), ipma),
    );
  const dataOffset = ftyp.length + meta(0).length + 8;
  return new Uint8Array(Buffer.concat([ftyp, meta(dataOffset), box('mdat', data)]));
}
