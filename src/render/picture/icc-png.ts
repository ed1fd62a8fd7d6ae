import { crc32, deflateSync } from 'node:zlib';

const SIGNATURE_LENGTH = 8;
/** The IHDR chunk: length, type, 13 bytes of header, CRC. */
const IHDR_END = SIGNATURE_LENGTH + 4 + 4 + 13 + 4;

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A PNG with an ICC profile embedded (an iCCP chunk after IHDR, where the
 * format puts it), so a decoder reads its numbers through that profile. A PNG
 * is the cheapest container sharp reads raw pixels from together with their
 * profile: its constructor takes no input profile for raw pixels.
 */
export function withIccChunk(png: Buffer, icc: Uint8Array): Buffer {
  const data = Buffer.concat([Buffer.from('icc\0\0', 'latin1'), deflateSync(icc)]);
  return Buffer.concat([png.subarray(0, IHDR_END), chunk('iCCP', data), png.subarray(IHDR_END)]);
}
