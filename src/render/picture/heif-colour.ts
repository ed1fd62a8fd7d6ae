import type { Nclx } from './nclx.js';

/** A HEIF file (ISO/IEC 23008-12) read as far as its primary image's properties: what its colour is. */

interface Box {
  type: string;
  /** Where the box's payload starts (after size, type and, for a full box, version and flags). */
  body: number;
  end: number;
}

const fourcc = (view: DataView, at: number) =>
  String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));

const FULL_BOXES = new Set(['meta', 'pitm', 'ipma']);

/** The boxes between `from` and `to`, stopping at the first that does not fit. */
function boxesIn(view: DataView, from: number, to: number): Box[] {
  const boxes: Box[] = [];
  let at = from;
  while (at + 8 <= to) {
    let size = view.getUint32(at);
    const type = fourcc(view, at + 4);
    let header = 8;
    if (size === 1) {
      if (at + 16 > to) break;
      size = Number(view.getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) size = to - at;
    if (size < header || at + size > to) break;
    boxes.push({ type, body: at + header + (FULL_BOXES.has(type) ? 4 : 0), end: at + size });
    at += size;
  }
  return boxes;
}

const child = (view: DataView, parent: Box | undefined, type: string) =>
  parent ? boxesIn(view, parent.body, parent.end).find((box) => box.type === type) : undefined;

/** The 1-based ipco indices of the properties associated with `item`. */
function propertiesOf(view: DataView, ipma: Box, item: number): number[] {
  const version = view.getUint8(ipma.body - 4);
  const wideIndex = (view.getUint8(ipma.body - 1) & 1) === 1;
  let at = ipma.body;
  const entries = view.getUint32(at);
  at += 4;
  for (let n = 0; n < entries && at < ipma.end; n++) {
    const id = version < 1 ? view.getUint16(at) : view.getUint32(at);
    at += version < 1 ? 2 : 4;
    const count = view.getUint8(at++);
    const indices: number[] = [];
    for (let k = 0; k < count; k++) {
      indices.push(wideIndex ? view.getUint16(at) & 0x7fff : view.getUint8(at) & 0x7f);
      at += wideIndex ? 2 : 1;
    }
    if (id === item) return indices;
  }
  return [];
}

/** One of the primary image's item properties (`ipco` boxes), its payload after the box header. */
export interface ItemProperty {
  type: string;
  payload: DataView;
}

/** The primary image's properties, in the order `ipma` associates them; none when the file cannot be read this far. */
export function primaryItemProperties(bytes: Uint8Array): ItemProperty[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    const meta = boxesIn(view, 0, bytes.byteLength).find((box) => box.type === 'meta');
    const pitm = child(view, meta, 'pitm');
    const iprp = child(view, meta, 'iprp');
    const ipco = child(view, iprp, 'ipco');
    const ipma = child(view, iprp, 'ipma');
    if (!pitm || !ipco || !ipma) return [];
    const primary = view.getUint8(pitm.body - 4) === 0 ? view.getUint16(pitm.body) : view.getUint32(pitm.body);
    const properties = boxesIn(view, ipco.body, ipco.end);
    return propertiesOf(view, ipma, primary).flatMap((index) => {
      const box = properties[index - 1];
      return box
        ? [{ type: box.type, payload: new DataView(view.buffer, view.byteOffset + box.body, box.end - box.body) }]
        : [];
    });
  } catch (error) {
    // A count that runs past its box: the decoder judges the file; its properties stay unknown.
    if (error instanceof RangeError) return [];
    throw error;
  }
}

/** A `colr` box of type `nclx`: three code points and the full-range flag; null for a profile (`prof`, `rICC`). */
function readNclx(payload: DataView): Nclx | null {
  if (payload.byteLength < 11 || fourcc(payload, 0) !== 'nclx') return null;
  return {
    primaries: payload.getUint16(4),
    transfer: payload.getUint16(6),
    matrix: payload.getUint16(8),
    fullRange: (payload.getUint8(10) & 0x80) !== 0,
  };
}

/**
 * The primary image's nclx code points (a `colr` box of type `nclx`), or null
 * when it states none. libvips reports an ICC profile (`colr` of type `prof`)
 * but not nclx, and the HEIC decoder returns pixels only.
 */
export function heifNclx(bytes: Uint8Array): Nclx | null {
  const colours = primaryItemProperties(bytes).filter((p) => p.type === 'colr');
  return colours.map((p) => readNclx(p.payload)).find((nclx) => nclx !== null) ?? null;
}
