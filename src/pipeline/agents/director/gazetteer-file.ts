import { z } from 'zod';

/**
 * The layout of `gazetteer.bin`, the gazetteer's places as columns, made from
 * GeoNames by `npm run build:gazetteer` (scripts/build-gazetteer.ts) and read
 * by gazetteer.ts. The places are stored in the order of their k-d tree
 * (KDBush's, built from the table in its order), so the tree is rebuilt by
 * copying, not sorting, and place i is the tree's item i.
 *
 *   "GZT1" | u32 header length | JSON header | columns, each starting on 8 bytes
 *
 * Columns: latitude and longitude (int32, 1e-5 degrees: GeoNames gives five
 * decimals, so the value read back is the same double), population (uint32),
 * region (uint16, into `regions`), country (uint8, into `countries`), then
 * the names as UTF-8, one per line. Little-endian.
 */

export const MAGIC = 'GZT1';
/** GeoNames' coordinates have five decimals: stored as integers of 1e-5 degree. */
export const FIXED_POINT = 1e5;

export const headerSchema = z.object({
  count: z.number().int().positive(),
  nodeSize: z.number().int().min(2).max(65535),
  countries: z.array(z.string().length(2)).max(256),
  regions: z.array(z.string()).max(65536),
  /** Where the data came from, for whoever reads the file: package names and versions. */
  source: z.record(z.string(), z.string()),
});
export type GazetteerHeader = z.infer<typeof headerSchema>;

export interface GazetteerColumns {
  header: GazetteerHeader;
  latitudes: Int32Array;
  longitudes: Int32Array;
  populations: Uint32Array;
  regions: Uint16Array;
  countries: Uint8Array;
  /** UTF-8, one name per line, in place order. */
  names: Uint8Array;
}

const align = (offset: number) => Math.ceil(offset / 8) * 8;

/** Byte offsets of each column, from the start of the columns. */
export function columnOffsets(count: number): {
  latitudes: number;
  longitudes: number;
  populations: number;
  regions: number;
  countries: number;
  names: number;
} {
  const latitudes = 0;
  const longitudes = align(latitudes + 4 * count);
  const populations = align(longitudes + 4 * count);
  const regions = align(populations + 4 * count);
  const countries = align(regions + 2 * count);
  const names = align(countries + count);
  return { latitudes, longitudes, populations, regions, countries, names };
}

/** Where the columns start, after the magic, the header's length and the header. */
export const columnsStart = (headerBytes: number) => align(8 + headerBytes);

export class GazetteerFileError extends Error {
  override name = 'GazetteerFileError';
}

/** Views over the file's bytes (copied once if they are not 8-byte aligned). */
export function decodeGazetteer(file: Uint8Array): GazetteerColumns {
  const bytes = file.byteOffset % 8 === 0 ? file : file.slice();
  if (new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC)
    throw new GazetteerFileError('not a gazetteer file (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = view.getUint32(4, true);
  const header = headerSchema.parse(JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerBytes))));
  const start = bytes.byteOffset + columnsStart(headerBytes);
  const at = columnOffsets(header.count);
  if (start - bytes.byteOffset + at.names > bytes.byteLength)
    throw new GazetteerFileError('gazetteer file is truncated');
  const { buffer } = bytes;
  return {
    header,
    latitudes: new Int32Array(buffer, start + at.latitudes, header.count),
    longitudes: new Int32Array(buffer, start + at.longitudes, header.count),
    populations: new Uint32Array(buffer, start + at.populations, header.count),
    regions: new Uint16Array(buffer, start + at.regions, header.count),
    countries: new Uint8Array(buffer, start + at.countries, header.count),
    names: new Uint8Array(buffer, start + at.names, bytes.byteOffset + bytes.byteLength - start - at.names),
  };
}
