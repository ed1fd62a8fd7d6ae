/**
 * A minimal ICC v2 RGB matrix/TRC display profile, built from the colour
 * space's published D50-adapted colorants and its gamma: what cameras embed
 * for Adobe RGB (1998) and similar spaces, written here so no licensed
 * profile file has to be shipped.
 */

const s15f16 = (value: number) => Math.round(value * 65536);

function xyzTag(x: number, y: number, z: number): Buffer {
  const tag = Buffer.alloc(20);
  tag.write('XYZ ', 0, 'ascii');
  [x, y, z].forEach((v, i) => tag.writeInt32BE(s15f16(v), 8 + i * 4));
  return tag;
}

function curveTag(gamma: number): Buffer {
  const tag = Buffer.alloc(14);
  tag.write('curv', 0, 'ascii');
  tag.writeUInt32BE(1, 8);
  tag.writeUInt16BE(Math.round(gamma * 256), 12);
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

export interface MatrixProfile {
  name: string;
  /** The red, green and blue colorants, adapted to D50 (as an ICC profile's rXYZ, gXYZ, bXYZ). */
  colorants: [[number, number, number], [number, number, number], [number, number, number]];
  gamma: number;
}

/** Adobe RGB (1998): its colorants as Adobe's own profile states them, gamma 563/256. */
export const ADOBE_RGB: MatrixProfile = {
  name: 'Adobe RGB (1998) compatible',
  colorants: [
    [0.60974, 0.31111, 0.01947],
    [0.20528, 0.62567, 0.06087],
    [0.14919, 0.06322, 0.74457],
  ],
  gamma: 563 / 256,
};

/** ProPhoto RGB (ROMM, D50 native), gamma 1.8: a wider gamut still, as some cameras and editors export. */
export const PROPHOTO_RGB: MatrixProfile = {
  name: 'ProPhoto RGB compatible',
  colorants: [
    [0.7977, 0.288, 0.0],
    [0.1352, 0.7119, 0.0],
    [0.0313, 0.0001, 0.8249],
  ],
  gamma: 1.8,
};

export function matrixProfile(profile: MatrixProfile): Buffer {
  const [r, g, b] = profile.colorants;
  const tags: Array<[string, Buffer]> = [
    ['desc', descTag(profile.name)],
    ['cprt', textTag('No copyright, use freely')],
    ['wtpt', xyzTag(0.9642, 1, 0.8249)],
    ['rXYZ', xyzTag(...r)],
    ['gXYZ', xyzTag(...g)],
    ['bXYZ', xyzTag(...b)],
    ['rTRC', curveTag(profile.gamma)],
    ['gTRC', curveTag(profile.gamma)],
    ['bTRC', curveTag(profile.gamma)],
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
  [0.9642, 1, 0.8249].forEach((v, i) => header.writeInt32BE(s15f16(v), 68 + i * 4));
  return Buffer.concat([header, table, ...bodies]);
}
