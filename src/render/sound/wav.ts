import { open } from 'node:fs/promises';

/** 16-bit PCM WAV: enough of the format for synthesised music and TTS output. */
export interface PcmAudio {
  sampleRate: number;
  channels: Float32Array[];
}

/** The 44-byte header of a 16-bit PCM WAV holding `dataBytes` of samples. */
function wavHeader(dataBytes: number, sampleRate: number, channelCount: number): ArrayBuffer {
  const header = new ArrayBuffer(44);
  const view = new DataView(header);
  const ascii = (offset: number, text: string) =>
    [...text].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, channelCount, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channelCount * 2, true);
  view.setUint16(32, channelCount * 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  return header;
}

/** A sample in [-1, 1] (clipped) as a 16-bit integer. */
const toInt16 = (value: number) => {
  const sample = Math.max(-1, Math.min(1, value));
  return sample < 0 ? sample * 0x8000 : sample * 0x7fff;
};

export function encodeWav({ sampleRate, channels }: PcmAudio): Uint8Array<ArrayBuffer> {
  const frames = channels[0]?.length ?? 0;
  const channelCount = channels.length;
  const bytes = new Uint8Array(44 + frames * channelCount * 2);
  bytes.set(new Uint8Array(wavHeader(frames * channelCount * 2, sampleRate, channelCount)), 0);
  const out = new Int16Array(bytes.buffer, 44, frames * channelCount);
  for (let frame = 0, o = 0; frame < frames; frame++) {
    for (let c = 0; c < channelCount; c++, o++) out[o] = toInt16(channels[c]![frame]!);
  }
  return bytes;
}

/** Audio read a piece at a time: channel `channel` over frames [from, to) into `out`. */
export interface PcmSource {
  sampleRate: number;
  channelCount: number;
  frames: number;
  fill(channel: number, from: number, to: number, out: Float32Array): void;
}

const WRITE_FRAMES = 1 << 15;

/** Writes a 16-bit PCM WAV to `path` a piece at a time, as encodeWav would make it, without holding it whole. */
export async function writeWav(path: string, source: PcmSource): Promise<void> {
  const { sampleRate, channelCount, frames } = source;
  const file = await open(path, 'w');
  try {
    await file.write(new Uint8Array(wavHeader(frames * channelCount * 2, sampleRate, channelCount)));
    const piece = new Float32Array(WRITE_FRAMES);
    for (let from = 0; from < frames; from += WRITE_FRAMES) {
      const to = Math.min(frames, from + WRITE_FRAMES);
      const out = new Int16Array((to - from) * channelCount);
      for (let c = 0; c < channelCount; c++) {
        source.fill(c, from, to, piece);
        for (let i = 0, o = c; i < to - from; i++, o += channelCount) out[o] = toInt16(piece[i]!);
      }
      await file.write(new Uint8Array(out.buffer));
    }
  } finally {
    await file.close();
  }
}

/** Wraps raw little-endian 16-bit PCM in a WAV header. */
export function pcm16ToWav(pcm: Uint8Array, sampleRate: number, channelCount = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(44 + pcm.byteLength);
  out.set(new Uint8Array(wavHeader(pcm.byteLength, sampleRate, channelCount)), 0);
  out.set(pcm, 44);
  return out;
}

interface WavLayout {
  view: DataView;
  /** The fmt chunk's format tag (the sub-format's for WAVE_FORMAT_EXTENSIBLE), channels, rate, bits and byte rate. */
  format: number;
  channelCount: number;
  sampleRate: number;
  bits: number;
  byteRate: number;
  /** Where the samples start, and how many bytes of them there are. */
  dataOffset: number;
  dataBytes: number;
}

/** The RIFF chunks of a WAV, walked up to its data chunk; null if it is not a WAV. */
function wavLayout(bytes: Uint8Array): WavLayout | null {
  if (bytes.byteLength < 44) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') return null;
  const layout = { view, format: 0, channelCount: 0, sampleRate: 0, bits: 0, byteRate: 0 };
  for (let offset = 12; offset + 8 <= bytes.byteLength;) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    if (id === 'fmt ') {
      layout.format = view.getUint16(offset + 8, true);
      layout.channelCount = view.getUint16(offset + 10, true);
      layout.sampleRate = view.getUint32(offset + 12, true);
      layout.byteRate = view.getUint32(offset + 16, true);
      layout.bits = view.getUint16(offset + 22, true);
      // WAVE_FORMAT_EXTENSIBLE keeps the real format in its sub-format GUID.
      if (layout.format === 0xfffe && size >= 26) layout.format = view.getUint16(offset + 32, true);
    }
    if (id === 'data') {
      // Streamed WAVs may say 0 or 0xFFFFFFFF: use what is there.
      const available = bytes.byteLength - offset - 8;
      return {
        ...layout,
        dataOffset: offset + 8,
        dataBytes: size === 0 || size === 0xffffffff ? available : Math.min(size, available),
      };
    }
    offset += 8 + size + (size % 2);
  }
  return null;
}

/** Duration of a PCM WAV from its header, or null if it is not one. */
export function wavDurationSec(bytes: Uint8Array): number | null {
  const layout = wavLayout(bytes);
  return layout && layout.byteRate > 0 ? layout.dataBytes / layout.byteRate : null;
}

/** Samples of a PCM WAV (16-bit integer or 32-bit float), or null if it is not one. */
export function decodeWav(bytes: Uint8Array): PcmAudio | null {
  const layout = wavLayout(bytes);
  if (!layout) return null;
  const { view, format, channelCount, sampleRate, bits, dataOffset, dataBytes } = layout;
  const width = bits / 8;
  const isFloat = format === 3 && bits === 32;
  if (channelCount < 1 || sampleRate < 1 || !(isFloat || (format === 1 && bits === 16))) return null;
  const frames = Math.floor(dataBytes / (width * channelCount));
  const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
  for (let f = 0, p = dataOffset; f < frames; f++) {
    for (let c = 0; c < channelCount; c++, p += width)
      channels[c]![f] = isFloat ? view.getFloat32(p, true) : view.getInt16(p, true) / 0x8000;
  }
  return { sampleRate, channels };
}
