import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClipFrames, clipFilter } from '../../../src/render/picture/clip-frames.js';
import { planesBytes } from '../../../src/render/picture/planes.js';
import { probeReport } from '../../../src/render/ffmpeg.js';
import { parseClipReport } from '../../../src/render/video/clip-report.js';
import { FFMPEG_BUILDS } from '../../helpers/render.js';
import { ffmpegOutput } from '../../helpers/video-measure.js';
import { deltaE, hueTurn, lab, type Rgb } from '../../helpers/patches.js';

type Hdr = 'hlg' | 'pq';

/**
 * The test frame's patches, left to right, as a scene shot in SDR would show them (sRGB codes, which the renderer
 * treats as BT.709's): black, sRGB's 18 % grey, the ColorChecker's dark and light skin, a saturated red and white;
 * then two highlights above reference white, given in cd/m².
 */
const PATCHES: Array<{ name: string; sdr: Rgb; nits?: number }> = [
  { name: 'black', sdr: [0, 0, 0] },
  { name: 'grey', sdr: [118, 118, 118] },
  { name: 'dark skin', sdr: [115, 82, 68] },
  { name: 'light skin', sdr: [194, 150, 130] },
  { name: 'red', sdr: [200, 40, 40] },
  { name: 'white', sdr: [255, 255, 255] },
  { name: '600 nits', sdr: [255, 255, 255], nits: 600 },
  { name: '1000 nits', sdr: [255, 255, 255], nits: 1000 },
];
const SIDE = 32;
const [W, H] = [SIDE * PATCHES.length, SIDE];
const SIZE = { width: W, height: H, fps: 30 };
/** BT.2408's HDR reference white (cd/m²): where SDR white goes in HDR, HLG 75 %, PQ 58 %. */
const REFERENCE_WHITE_NITS = 203;
const TRANSFER = { hlg: 'arib-std-b67', pq: 'smpte2084' } as const;

const dir = mkdtempSync(join(tmpdir(), 'sirtrav-tone-map-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const clipOf = (hdr: Hdr) => join(dir, `${hdr}.mp4`);

/**
 * The patches as 1 s of 10-bit HEVC in BT.2020 HLG or PQ, tagged as a phone tags them. zscale takes the SDR codes
 * to display light (BT.1886), and with npl=203 SDR white becomes 203 cd/m² (BT.2408's display-referred mapping of
 * SDR into HDR); the highlights are set in that light directly. Lossless, so only the tone map moves the numbers.
 */
async function synthesise(ffmpeg: string): Promise<void> {
  const rgb = Buffer.alloc(W * H * 3);
  for (let i = 0; i < W * H; i++) rgb.set(PATCHES[Math.floor((i % W) / SIDE)]!.sdr, i * 3);
  writeFileSync(join(dir, 'sdr.rgb'), rgb);
  const light = await ffmpegOutput(ffmpeg, [
    ...['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${W}x${H}`, '-i', join(dir, 'sdr.rgb')],
    ...['-vf', 'zscale=tin=bt709:pin=bt709:min=gbr:rin=full:t=linear:p=bt709:m=gbr:r=full,format=gbrpf32le'],
    ...['-f', 'rawvideo', 'pipe:1'],
  ]);
  const planes = new Float32Array(light.buffer, light.byteOffset, light.byteLength / 4);
  for (let i = 0; i < planes.length; i++) {
    const nits = PATCHES[Math.floor((i % W) / SIDE)]!.nits;
    if (nits) planes[i] = nits / REFERENCE_WHITE_NITS;
  }
  writeFileSync(join(dir, 'light.raw'), planes);
  for (const hdr of ['hlg', 'pq'] as const) {
    await ffmpegOutput(ffmpeg, [
      ...['-f', 'rawvideo', '-pix_fmt', 'gbrpf32le', '-s', `${W}x${H}`, '-r', '30', '-stream_loop', '29'],
      ...['-i', join(dir, 'light.raw'), '-vf'],
      `zscale=tin=linear:pin=bt709:min=gbr:rin=full:npl=${REFERENCE_WHITE_NITS}:` +
        `t=${TRANSFER[hdr]}:p=bt2020:m=bt2020nc:r=tv,format=yuv420p10le`,
      ...['-c:v', 'libx265', '-x265-params', 'log-level=error:lossless=1', '-tag:v', 'hvc1'],
      ...['-color_trc', TRANSFER[hdr], '-color_primaries', 'bt2020', '-colorspace', 'bt2020nc', '-color_range', 'tv'],
      ...['-y', clipOf(hdr)],
    ]);
  }
}

/** Each patch's mean colour, as 8-bit full-range RGB, from BT.709 limited-range 4:2:0 (the centre 16×16 of each). */
function patchColours(yuv: Uint8Array): Rgb[] {
  const [y, u, v] = [yuv.subarray(0, W * H), yuv.subarray(W * H, (W * H * 5) / 4), yuv.subarray((W * H * 5) / 4)];
  const mean = (plane: Uint8Array, width: number, from: number, to: number, x0: number) => {
    let sum = 0;
    for (let row = from; row < to; row++) for (let x = x0 + from; x < x0 + to; x++) sum += plane[row * width + x]!;
    return sum / (to - from) ** 2;
  };
  return PATCHES.map((_, i) => {
    const luma = (mean(y, W, SIDE / 4, (SIDE * 3) / 4, i * SIDE) - 16) / 219;
    const cb = (mean(u, W / 2, SIDE / 8, (SIDE * 3) / 8, (i * SIDE) / 2) - 128) / 224;
    const cr = (mean(v, W / 2, SIDE / 8, (SIDE * 3) / 8, (i * SIDE) / 2) - 128) / 224;
    // BT.709's inverse matrix (Kr 0.2126, Kb 0.0722).
    const rgb = [luma + 1.5748 * cr, luma - 0.1873 * cb - 0.4681 * cr, luma + 1.8556 * cb];
    return rgb.map((c) => Math.round(c * 2550) / 10) as Rgb;
  });
}

const mean = (rgb: Rgb) => (rgb[0] + rgb[1] + rgb[2]) / 3;

/**
 * What a viewer would notice, patch by patch; empty when the picture is right. The thresholds:
 * - reference white ≥ 220 in every channel (86 %): next to SDR white it still reads as white. BT.2390's roll-off
 *   (libplacebo's) puts a 1000 cd/m² source's reference white at 230; Hable at npl=100 puts it at 193, paper grey.
 * - black ≤ 20: no lift a viewer would see as haze.
 * - grey, skin and red within ΔE*ab 5 of the SDR original (2.3 is one just-noticeable difference, so 5 is a
 *   difference seen only side by side): the same skin, not darker or duller. A transfer read wrong, npl off by 2× or
 *   primaries left BT.2020 move one of them by 8 to 30.
 * - red keeps its hue within 10° and its red channel dominant: red stays red, not orange or magenta.
 * - lightness in order, black < dark skin < grey < light skin < white.
 * - highlights compressed, not clipped: 600 cd/m² at least 10 above reference white, 1000 cd/m² at least 2 above
 *   600 (at the top of the scale, 2 codes are 2 % in light, which a viewer tells apart).
 */
function faults(measured: Rgb[]): string[] {
  const at = (name: string) => measured[PATCHES.findIndex((p) => p.name === name)]!;
  const sdr = (name: string) => PATCHES.find((p) => p.name === name)!.sdr;
  const found: string[] = [];
  const white = at('white');
  if (Math.min(...white) < 220) found.push(`white: ${white} is grey`);
  if (Math.max(...at('black')) > 20) found.push(`black: ${at('black')} is lifted`);
  for (const name of ['grey', 'dark skin', 'light skin', 'red']) {
    const error = deltaE(at(name), sdr(name));
    if (error > 5) found.push(`${name}: ${at(name)} is ΔE ${error.toFixed(1)} from ${sdr(name)}`);
  }
  const red = at('red');
  const turn = hueTurn(red, sdr('red'));
  if (turn > 10 || red[0] < 2 * Math.max(red[1], red[2])) found.push(`red: ${red} turned ${turn.toFixed(1)}°`);
  const order = ['black', 'dark skin', 'grey', 'light skin', 'white'].map((name) => lab(at(name))[0]);
  if (order.some((l, i) => i > 0 && l <= order[i - 1]!)) found.push(`order: lightness ${order.map(Math.round)}`);
  const [six, thousand] = [mean(at('600 nits')), mean(at('1000 nits'))];
  if (six < mean(white) + 10 || thousand < six + 2)
    found.push(`highlights: ${Math.round(six)}, ${Math.round(thousand)} over white ${Math.round(mean(white))}`);
  return found;
}

/** One frame of `file` through `filter`, as ClipFrames runs ffmpeg, in yuv420p. */
const decodeWith = (ffmpeg: string, file: string, filter: string) =>
  ffmpegOutput(ffmpeg, [
    ...['-i', file, '-map', '0:v:0', '-an', '-vf', filter, '-frames:v', '1'],
    ...['-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'],
  ]).then((raw) => new Uint8Array(raw));

/** `chain` with one part changed; the change must take. */
const replacing = (from: string | RegExp, to: string) => (chain: string) => {
  const changed = chain.replace(from, to);
  expect(changed).not.toBe(chain);
  return changed;
};

/** Hable with 1.0 at 100 cd/m², a common recipe: reference white, at 2.03, comes out grey. */
const hableAt100 = (chain: string, hdr: Hdr) =>
  replacing(
    /zscale=tin=.*?r=tv/,
    `zscale=tin=${TRANSFER[hdr]}:pin=bt2020:min=bt2020nc:t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,` +
      'tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv',
  )(chain);

/** Wrong tone maps, each the renderer's chain changed in one place, and the patch whose fault shows it. */
const WRONG: Array<{ name: string; change: (chain: string, hdr: Hdr) => string; fault: string }> = [
  {
    name: 'the other transfer',
    change: (_, hdr) => clipFilter({ ...SIZE, hdr: hdr === 'hlg' ? 'pq' : 'hlg' }),
    fault: 'light skin',
  },
  { name: 'npl twice too high', change: replacing('npl=203', 'npl=406'), fault: 'white' },
  { name: 'npl twice too low', change: replacing('npl=203', 'npl=101.5'), fault: 'grey' },
  { name: 'BT.2020 primaries kept', change: replacing(':p=bt709', ''), fault: 'red' },
  {
    name: 'highlights clipped at white',
    change: replacing(/tonemap=tonemap=\w+(:param=[\d.]+)?/, 'tonemap=tonemap=clip'),
    fault: 'highlights',
  },
  { name: 'Hable with 1.0 at 100 cd/m²', change: hableAt100, fault: 'white' },
];

beforeAll(() => synthesise(FFMPEG_BUILDS.debian), 60_000);

describe.each(Object.entries(FFMPEG_BUILDS))('HDR clips tone-mapped to SDR (ffmpeg: %s)', (_build, ffmpeg) => {
  it.each(['hlg', 'pq'] as const)('the %s clip is real HDR: detected, SDR white at reference white', async (hdr) => {
    expect(parseClipReport(await probeReport(ffmpeg, clipOf(hdr))).hdr).toBe(hdr);
    const raw = await ffmpegOutput(ffmpeg, ['-i', clipOf(hdr), '-frames:v', '1', '-f', 'rawvideo', 'pipe:1']);
    const codes = new Uint16Array(raw.buffer, raw.byteOffset, W * H);
    const code = (name: string) => codes[(H / 2) * W + PATCHES.findIndex((p) => p.name === name) * SIDE + SIDE / 2]!;
    // 10-bit limited range: 64 + 876 × signal. HLG: 75 % and its 1000 cd/m² peak at 100 %; PQ: its own curve.
    const pq = (nits: number) => {
      const y = (nits / 10000) ** 0.1593017578125;
      return ((0.8359375 + 18.8515625 * y) / (1 + 18.6875 * y)) ** 78.84375;
    };
    const expected = hdr === 'hlg' ? [0.75, 1] : [pq(REFERENCE_WHITE_NITS), pq(1000)];
    expect(Math.abs(code('white') - (64 + 876 * expected[0]!))).toBeLessThanOrEqual(3);
    expect(Math.abs(code('1000 nits') - (64 + 876 * expected[1]!))).toBeLessThanOrEqual(3);
  });

  it.each(['hlg', 'pq'] as const)('the %s clip looks as the scene does in SDR', async (hdr) => {
    const frames = new ClipFrames({ ffmpeg, file: clipOf(hdr), startSec: 0, ...SIZE, hdr });
    try {
      const planes = await frames.frameAt(0);
      const measured = patchColours(planesBytes(planes));
      const report = PATCHES.map((p, i) => `${p.name} ${measured[i]!.join(',')}`).join('; ');
      expect(faults(measured), report).toEqual([]);
    } finally {
      frames.close();
    }
  });
});

describe('a wrong tone map fails the same measure', () => {
  it.each(WRONG)('$name', async ({ change, fault }) => {
    for (const hdr of ['hlg', 'pq'] as const) {
      const chain = change(clipFilter({ ...SIZE, hdr }), hdr);
      const found = faults(patchColours(await decodeWith(FFMPEG_BUILDS.bundled, clipOf(hdr), chain)));
      expect(
        found.some((f) => f.startsWith(`${fault}:`)),
        `${hdr}: ${found.join('; ') || 'no fault'}`,
      ).toBe(true);
    }
  });
});
