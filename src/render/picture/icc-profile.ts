import { D50_XYZ, isSrgbPrimaries, rgbToXyz, type Nclx } from './nclx.js';

/**
 * A minimal ICC v2 RGB matrix/TRC display profile, built from the colour
 * space's D50-adapted colorants and its tone curve: what cameras embed for
 * Adobe RGB (1998) and similar spaces, and what a photo's nclx code points
 * describe, so libvips converts either to sRGB as it does an embedded profile.
 */

const s15f16 = (value: number) => Math.round(value * 65536);

function xyzTag(x: number, y: number, z: number): Buffer {
  const tag = Buffer.alloc(20);
  tag.write('XYZ ', 0, 'ascii');
  [x, y, z].forEach((v, i) => tag.writeInt32BE(s15f16(v), 8 + i * 4));
  return tag;
}

function curveTag(curve: ToneCurve): Buffer {
  if (curve === 'srgb') {
    // IEC 61966-2-1 as a parametric curve (type 3): (aX + b)^g above d, cX below.
    const tag = Buffer.alloc(32);
    tag.write('para', 0, 'ascii');
    tag.writeUInt16BE(3, 8);
    [2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045].forEach((v, i) => tag.writeInt32BE(s15f16(v), 12 + i * 4));
    return tag;
  }
  const tag = Buffer.alloc(14);
  tag.write('curv', 0, 'ascii');
  tag.writeUInt32BE(1, 8);
  tag.writeUInt16BE(Math.round(curve * 256), 12);
  return tag;
}

function descTag(text: string): Buffer {
  const tag = Buffer.alloc(12 + text.length + 1 + 4 + 4 + 2 + 1 + 67);
  tag.write('desc', 0, 'ascii');
  tag.writeUInt32BE(text.length + 1, 8);
  tag.write(text, 12, 'ascii');
  return tag;
}

function textTag(text: string): Buffer {
  const tag = Buffer.alloc(8 + text.length + 1);
  tag.write('text', 0, 'ascii');
  tag.write(text, 8, 'ascii');
  return tag;
}

const pad4 = (buffer: Buffer) => Buffer.concat([buffer, Buffer.alloc((4 - (buffer.length % 4)) % 4)]);

/** sRGB's curve, or a pure power (gamma). */
type ToneCurve = 'srgb' | number;

export interface MatrixProfile {
  name: string;
  /** The red, green and blue colorants, adapted to D50 (as an ICC profile's rXYZ, gXYZ, bXYZ). */
  colorants: [[number, number, number], [number, number, number], [number, number, number]];
  curve: ToneCurve;
}

export function matrixProfile(profile: MatrixProfile): Buffer {
  const [r, g, b] = profile.colorants;
  const tags: Array<[string, Buffer]> = [
    ['desc', descTag(profile.name)],
    ['cprt', textTag('No copyright, use freely')],
    ['wtpt', xyzTag(...D50_XYZ)],
    ['rXYZ', xyzTag(...r)],
    ['gXYZ', xyzTag(...g)],
    ['bXYZ', xyzTag(...b)],
    ['rTRC', curveTag(profile.curve)],
    ['gTRC', curveTag(profile.curve)],
    ['bTRC', curveTag(profile.curve)],
  ];
  const header = Buffer.alloc(128);
  const table = Buffer.alloc(4 + tags.length * 12);
  table.writeUInt32BE(tags.length, 0);
  let offset = header.length + table.length;
  const bodies: Buffer[] = [];
  tags.forEach(([signature, body], i) => {
    table.write(signature, 4 + i * 12, 'ascii');
    table.writeUInt32BE(offset, 8 + i * 12);
    table.writeUInt32BE(body.length, 12 + i * 12);
    const padded = pad4(body);
    bodies.push(padded);
    offset += padded.length;
  });
  header.writeUInt32BE(offset, 0);
  header.writeUInt32BE(0x02100000, 8);
  header.write('mntr', 12, 'ascii');
  header.write('RGB ', 16, 'ascii');
  header.write('XYZ ', 20, 'ascii');
  [2024, 1, 1, 0, 0, 0].forEach((v, i) => header.writeUInt16BE(v, 24 + i * 2));
  header.write('acsp', 36, 'ascii');
  D50_XYZ.forEach((v, i) => header.writeInt32BE(s15f16(v), 68 + i * 4));
  return Buffer.concat([header, table, ...bodies]);
}

/** The transfers that are pure powers; any other SDR transfer (BT.709, BT.601, sRGB, unspecified) reads as sRGB's. */
const POWER_TRANSFERS: Record<number, number> = { 4: 2.2, 5: 2.8, 8: 1 };

/**
 * The ICC profile nclx code points describe, for an SDR photo whose primaries
 * are not sRGB's; null when its numbers are sRGB already. BT.709 and BT.601
 * transfers are taken as sRGB's curve, as a browser shows such video and as
 * the renderer treats its clips: only the primaries are converted.
 */
export function nclxProfile(nclx: Pick<Nclx, 'primaries' | 'transfer'>): Buffer | null {
  const curve = POWER_TRANSFERS[nclx.transfer] ?? 'srgb';
  if (isSrgbPrimaries(nclx.primaries) && curve === 'srgb') return null;
  const m = rgbToXyz(nclx.primaries, 'd50');
  const column = (j: number): [number, number, number] => [m[0][j]!, m[1][j]!, m[2][j]!];
  return matrixProfile({
    name: `nclx ${nclx.primaries}/${nclx.transfer}`,
    colorants: [column(0), column(1), column(2)],
    curve,
  });
}
