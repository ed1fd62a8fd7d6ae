import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { appleContentId, readExif } from '../../src/media/exif.js';
import { appleMakerNote, livePhotoJpeg } from '../helpers/apple-live.js';

const ID = 'FFCBAC24-E547-4BBC-AF47-38B1A3D845E3';

describe("Apple's content identifier", () => {
  it('is read from a maker note in either byte order', () => {
    expect(appleContentId(appleMakerNote(ID))).toBe(ID);
    expect(appleContentId(appleMakerNote(ID.toLowerCase(), 'II'))).toBe(ID);
  });

  it('is null for what is not an Apple note, a cut note, or a value that is no identifier', () => {
    const note = appleMakerNote(ID);
    expect(appleContentId(undefined)).toBeNull();
    expect(appleContentId(Buffer.concat([Buffer.from('Nikon\0'), note.subarray(6)]))).toBeNull();
    expect(appleContentId(note.subarray(0, note.length - 20))).toBeNull();
    expect(appleContentId(appleMakerNote('not-a-uuid'))).toBeNull();
    // No identifier among entries whose count runs past the end.
    const lying = Buffer.from(note);
    lying.writeUInt16BE(5000, 14);
    lying.writeUInt16BE(0x0012, 28);
    expect(appleContentId(lying)).toBeNull();
  });

  it("is found in a JPEG's EXIF as sharp hands it over", async () => {
    const { exif } = await sharp(await livePhotoJpeg(ID)).metadata();
    expect((await readExif(exif)).contentId).toBe(ID);
  });
});
