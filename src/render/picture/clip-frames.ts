import type { Readable } from 'node:stream';
import { RenderError } from '../errors.js';
import { spawnSupervised, stopSupervised, type SupervisedProcess } from '../supervised.js';
import { MOBIUS_KNEE, REFERENCE_WHITE_NITS, TONEMAP_PEAK } from './hdr-tone-map.js';
import { allocPlanes, type Planes } from './planes.js';

export interface ClipFramesOptions {
  ffmpeg: string;
  file: string;
  /** Where in the clip the shot starts. */
  startSec: number;
  width: number;
  height: number;
  fps: number;
  /** HLG or PQ: tone-mapped to SDR; null for SDR. */
  hdr: 'hlg' | 'pq' | null;
}

/**
 * HDR (HLG, PQ; BT.2020) to SDR BT.709. zscale takes the clip to display light in BT.709 primaries, scaled so that
 * reference white is 1.0, SDR white. `tonemap=mobius` then scales each pixel by a curve of its brightest channel (so
 * hue is kept): the identity up to half of white's light (code 191 of 255), where grey and skin sit, then a roll-off
 * that brings the peak to white. Reference white lands at 229, as BT.2390's roll-off (libplacebo's, which ffmpeg's
 * `tonemap` lacks) puts it, with 600 and 1000 cd/m² above it and apart. The source's transfer is named rather than
 * read from the frames, which do not always carry it through the decoder; the peak is fixed rather than read from a
 * PQ clip's metadata, which not every phone writes and `tonemap` reads as if 1.0 were 100 cd/m². One zscale does both
 * transfer and primaries: a second pass over the float frame cost 15 % more.
 * `tests/render/picture/tone-map.test.ts` measures the result; hdr-tone-map.ts holds the numbers, which HDR stills share.
 */
const toneMap = (hdr: 'hlg' | 'pq') =>
  `zscale=tin=${hdr === 'hlg' ? 'arib-std-b67' : 'smpte2084'}:pin=bt2020:min=bt2020nc:` +
  `t=linear:npl=${REFERENCE_WHITE_NITS}:p=bt709,format=gbrpf32le,` +
  `tonemap=tonemap=mobius:param=${MOBIUS_KNEE}:peak=${TONEMAP_PEAK}:desat=0,` +
  'zscale=t=bt709:m=bt709:r=tv';

/**
 * The filter chain that turns a clip's frames into a shot's: upright (ffmpeg applies the display matrix
 * itself), in BT.709 (tone-mapped when HDR), covering the frame and cropped at the centre, at the video's rate.
 */
export function clipFilter(options: Pick<ClipFramesOptions, 'width' | 'height' | 'fps' | 'hdr'>): string {
  const { width, height, fps } = options;
  const cover = `scale=${width}:${height}:force_original_aspect_ratio=increase`;
  // An HDR clip is brought to the frame's size first, in its own colours and depth, and tone-mapped there: the tone
  // map works on 32-bit float pictures, and at a 4K clip's size that took 728 MB and 6 s of CPU a second of clip
  // against 495 MB and 2 s (a 1080p frame).
  const picture = options.hdr
    ? `${cover},crop=${width}:${height},${toneMap(options.hdr)}`
    : `${cover}:out_color_matrix=bt709:out_range=tv,crop=${width}:${height}`;
  return `${picture},setsar=1,fps=${fps},format=yuv420p`;
}

/** Reads exact-size chunks from a stream, in order. */
class ChunkReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private wake: (() => void) | null = null;

  constructor(stream: Readable) {
    stream.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.byteLength;
      if (this.buffered > 4 * 1024 * 1024) stream.pause();
      this.wake?.();
    });
    stream.on('end', () => {
      this.ended = true;
      this.wake?.();
    });
    stream.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
    this.resume = () => stream.resume();
  }

  private readonly resume: () => void;

  /** Exactly `size` bytes into `into`, or false when the stream ended first. */
  async read(into: Uint8Array): Promise<boolean> {
    while (this.buffered < into.byteLength && !this.ended) {
      this.resume();
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
    if (this.buffered < into.byteLength) return false;
    let offset = 0;
    while (offset < into.byteLength) {
      const head = this.chunks[0]!;
      const take = Math.min(head.byteLength, into.byteLength - offset);
      into.set(head.subarray(0, take), offset);
      offset += take;
      if (take === head.byteLength) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    this.buffered -= into.byteLength;
    this.resume();
    return true;
  }
}

/** How much of a clip's end is decoded to find its last frame. */
const TAIL_SEC = 1;

/**
 * A clip shot's frames, decoded by ffmpeg to raw BT.709 YUV at the frame's size and rate and read in order.
 * The shot asks for its frames by number within the shot; the decoder starts at the first one asked for
 * (a segment may begin inside a shot), and a clip shorter than its shot holds its last frame.
 */
export class ClipFrames {
  private process: SupervisedProcess | null = null;
  private reader: ChunkReader | null = null;
  /** The shot frame the next read returns. */
  private next = 0;
  private ended = false;
  private shown = false;
  private stderr = '';
  readonly planes: Planes;

  constructor(private readonly options: ClipFramesOptions) {
    this.planes = allocPlanes(options.width, options.height);
  }

  /** Decoding from shot frame `index`, or from the clip's last second when `tail`. */
  private start(index: number, tail = false): void {
    const { ffmpeg, file, startSec, fps } = this.options;
    const seek = startSec + index / fps;
    const from = tail ? ['-sseof', `-${TAIL_SEC}`] : seek > 0 ? ['-ss', seek.toFixed(3)] : [];
    const process = spawnSupervised(ffmpeg, [
      '-hide_banner',
      '-nostdin',
      '-v',
      'error',
      ...from,
      '-i',
      file,
      '-map',
      '0:v:0',
      '-an',
      '-vf',
      clipFilter(this.options),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'yuv420p',
      'pipe:1',
    ]);
    process.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-2000);
    });
    process.on('error', () => undefined);
    this.process = process;
    this.reader = new ChunkReader(process.stdout);
    this.next = index;
    this.ended = false;
  }

  /** The clip's picture at frame `index` of the shot, in `planes`. */
  async frameAt(index: number): Promise<Planes> {
    if (!this.process || index < this.next - 1) {
      this.close();
      this.start(index);
    }
    const bytes = bytesOf(this.planes);
    while (this.next <= index && !this.ended) {
      if (!(await this.reader!.read(bytes))) {
        this.ended = true;
        if (!this.shown) await this.holdLast(index);
        break;
      }
      this.shown = true;
      this.next++;
    }
    return this.planes;
  }

  /**
   * The first frame asked for lies past the clip's end (a segment or a redrawn stretch begins while a clip
   * shorter than its shot holds): the clip's last frame, decoded from its final second, as a render from the
   * shot's start would hold it.
   */
  private async holdLast(index: number): Promise<void> {
    this.close();
    this.start(index, true);
    const bytes = bytesOf(this.planes);
    while (await this.reader!.read(bytes)) this.shown = true;
    this.ended = true;
    if (!this.shown) throw this.failure();
  }

  private failure(): RenderError {
    return new RenderError({
      errorClass: 'input',
      code: 'clip_unreadable',
      message: 'A clip gave no frames at its moment.',
      retryable: false,
      trace: this.stderr.trim().split('\n').slice(-10).join('\n'),
    });
  }

  close(): void {
    if (this.process) stopSupervised(this.process);
    this.process = null;
    this.reader = null;
  }
}

const bytesOf = (planes: Planes) =>
  new Uint8Array(planes.y.buffer, planes.y.byteOffset, planes.y.length + planes.u.length + planes.v.length);
