import sharp from 'sharp';

/**
 * An Apple maker note holding a content identifier, as an iPhone writes one: "Apple iOS\0", version 1, "MM",
 * then an IFD (offsets from the note's start) whose tag 0x0011 is the identifier, NUL-terminated. A second,
 * numeric tag stands for the many others a real note carries.
 */
export function appleMakerNote(contentId: string, order: 'MM' | 'II' = 'MM'): Buffer {
  const little = order === 'II';
  const text = Buffer.from(`${contentId}\0`, 'latin1');
  const entries = 2;
  const ifdStart = 14;
  const dataStart = ifdStart + 2 + entries * 12 + 4;
  const note = Buffer.alloc(dataStart + text.length);
  note.write('Apple iOS\0', 0, 'latin1');
  note.writeUInt16BE(1, 10);
  note.write(order, 12, 'latin1');
  const u16 = (value: number, at: number) => (little ? note.writeUInt16LE(value, at) : note.writeUInt16BE(value, at));
  const u32 = (value: number, at: number) => (little ? note.writeUInt32LE(value, at) : note.writeUInt32BE(value, at));
  u16(entries, ifdStart);
  // 0x000a HDRImageType, a SLONG, inline.
  u16(0x000a, ifdStart + 2);
  u16(9, ifdStart + 4);
  u32(1, ifdStart + 6);
  u32(4, ifdStart + 10);
  // 0x0011 ContentIdentifier, ASCII, after the IFD.
  u16(0x0011, ifdStart + 14);
  u16(2, ifdStart + 16);
  u32(text.length, ifdStart + 18);
  u32(dataStart, ifdStart + 22);
  text.copy(note, dataStart);
  return note;
}

/** A TIFF (EXIF) block with IFD0 → Exif IFD → MakerNote, big-endian. */
function exifWithMakerNote(note: Buffer): Buffer {
  const ifd0 = 8;
  const exifIfd = ifd0 + 2 + 12 + 4;
  const noteAt = exifIfd + 2 + 12 + 4;
  const tiff = Buffer.alloc(noteAt + note.length);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(ifd0, 4);
  tiff.writeUInt16BE(1, ifd0);
  tiff.writeUInt16BE(0x8769, ifd0 + 2); // ExifIFDPointer, LONG
  tiff.writeUInt16BE(4, ifd0 + 4);
  tiff.writeUInt32BE(1, ifd0 + 6);
  tiff.writeUInt32BE(exifIfd, ifd0 + 10);
  tiff.writeUInt16BE(1, exifIfd);
  tiff.writeUInt16BE(0x927c, exifIfd + 2); // MakerNote, UNDEFINED
  tiff.writeUInt16BE(7, exifIfd + 4);
  tiff.writeUInt32BE(note.length, exifIfd + 6);
  tiff.writeUInt32BE(noteAt, exifIfd + 10);
  note.copy(tiff, noteAt);
  return tiff;
}

/** A JPEG still of a Live Photo (as an iPhone set to "Most Compatible" saves it): its EXIF holds the identifier. */
export async function livePhotoJpeg(contentId: string, colour = '#4a7'): Promise<Uint8Array<ArrayBuffer>> {
  const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: colour } })
    .jpeg()
    .toBuffer();
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifWithMakerNote(appleMakerNote(contentId))]);
  const app1 = Buffer.alloc(4);
  app1.writeUInt16BE(0xffe1, 0);
  app1.writeUInt16BE(payload.length + 2, 2);
  // Right after the start-of-image marker.
  return new Uint8Array(Buffer.concat([jpeg.subarray(0, 2), app1, payload, jpeg.subarray(2)]));
}
