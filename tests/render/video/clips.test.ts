import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../../src/media/find-ffmpeg.js';
import { ClipFrames, clipFilter } from '../../../src/render/picture/clip-frames.js';
import { parseClipReport } from '../../../src/render/video/clip-report.js';
import { measureLoudness } from '../../../src/render/sound/measure.js';
import { encodeWav } from '../../../src/render/sound/wav.js';
import { probeMedia, probeReport } from '../../../src/render/ffmpeg.js';
import { ComposeWorkspace } from '../../../src/render/video/workspace.js';
import type { Media } from '../../../src/schemas/media.js';
import type { Storyboard } from '../../../src/schemas/run.js';
import { FFMPEG_BUILDS, mediaFor, storyboardFor, texturedPhoto, type TestShot } from '../../helpers/render.js';
import { ffmpegOutput } from '../../helpers/video-measure.js';
import { clipFixture, type ClipFixture } from '../../media/clip-fixtures.js';

let ffmpeg = '';
const dir = mkdtempSync(join(tmpdir(), 'sirtrav-clip-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const clip = (name: ClipFixture, width: number, height: number, durationSec: number): TestShot['photo'] => ({
  media: { ...mediaFor(`m_${name.replace(/-/g, '')}`, width, height, 'video/mp4'), kind: 'clip', durationSec },
  bytes: clipFixture(name),
});

const SHOT_SEC = 2;
const FPS = 30;
const { width: W, height: H } = { width: 360, height: 640 };

/**
 * Pure tones as the music (220 Hz) and as a narration speaking throughout (440 Hz): a clip's own sound then
 * shows as energy above 2 kHz, which neither has.
 */
function toneWav(durationSec: number, hz: number, channels: number): Uint8Array {
  const rate = 48000;
  const samples = new Float32Array(Math.round(durationSec * rate));
  for (let i = 0; i < samples.length; i++) samples[i] = 0.2 * Math.sin((2 * Math.PI * hz * i) / rate);
  return encodeWav({ sampleRate: rate, channels: Array.from({ length: channels }, () => samples) });
}

/** Luma of one frame at `atSec`, at the video's size. */
async function lumaAt(file: string, atSec: number, extra: string[] = [], filter = 'format=gray'): Promise<Uint8Array> {
  return new Uint8Array(
    await ffmpegOutput(ffmpeg, [
      ...extra,
      '-ss',
      atSec.toFixed(3),
      '-i',
      file,
      '-frames:v',
      '1',
      '-vf',
      filter,
      '-f',
      'rawvideo',
      'pipe:1',
    ]),
  );
}

const meanAbsDiff = (a: Uint8Array, b: Uint8Array) => {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
};

/** Pearson correlation of two pictures' luma: 1 for the same picture whatever its brightness. */
const correlation = (a: Uint8Array, b: Uint8Array) => {
  const mean = (x: Uint8Array) => x.reduce((s, v) => s + v, 0) / x.length;
  const [ma, mb] = [mean(a), mean(b)];
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
};

const RATE = 48000;

/** The level (dBFS) of the video's sound over [from, to) above 2 kHz (a second-order high-pass), mono. */
async function highLevelDb(file: string, from: number, to: number): Promise<number> {
  const pcm = await ffmpegOutput(ffmpeg, [
    ...['-ss', from.toFixed(3), '-t', (to - from).toFixed(3), '-i', file],
    ...['-map', '0:a', '-ac', '1', '-ar', String(RATE), '-f', 'f32le', 'pipe:1'],
  ]);
  const x = new Float32Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.byteLength / 4));
  // RBJ biquad high-pass, Q = 0.707, run twice (fourth order) so the tones' leakage is far below the clip's sound.
  const w = (2 * Math.PI * 2000) / RATE;
  const alpha = Math.sin(w) / (2 * Math.SQRT1_2);
  const [b0, b1, b2, a0, a1, a2] = [
    (1 + Math.cos(w)) / 2,
    -(1 + Math.cos(w)),
    (1 + Math.cos(w)) / 2,
    1 + alpha,
    -2 * Math.cos(w),
    1 - alpha,
  ];
  let y = Float32Array.from(x);
  for (let pass = 0; pass < 2; pass++) {
    const input = y;
    const out = new Float32Array(input.length);
    for (let i = 2; i < input.length; i++)
      out[i] = (b0 * input[i]! + b1 * input[i - 1]! + b2 * input[i - 2]! - a1 * out[i - 1]! - a2 * out[i - 2]!) / a0;
    y = out;
  }
  let sum = 0;
  for (let i = RATE / 20; i < y.length; i++) sum += y[i]! ** 2;
  return 10 * Math.log10(sum / (y.length - RATE / 20) + 1e-20);
}

describe('clip shots in the render', () => {
  let video = '';
  let storyboard: Storyboard;
  const clips = {
    portrait: clip('portrait-rotated-h264', 1080, 1920, 2.01),
    hevc: clip('landscape-hevc', 1920, 1080, 5.01),
  };

  beforeAll(async () => {
    ffmpeg = (await findFfmpeg())!.path;
    const photo = async (id: string, seed: number): Promise<TestShot['photo']> => ({
      media: mediaFor(id, 800, 1200) as Media,
      bytes: await texturedPhoto(800, 1200, seed),
    });
    const shots: TestShot[] = [
      { photo: await photo('m_photo1', 3) },
      { photo: clips.portrait, clipStartSec: 0 },
      { photo: clips.hevc, clipStartSec: 2 },
      { photo: await photo('m_photo2', 4) },
    ];
    storyboard = storyboardFor(shots, { resolution: '360p', aspect: '9:16', shotSec: SHOT_SEC, transitionSec: 0 });
    const byId = new Map(shots.map((shot) => [shot.photo.media.mediaId as string, shot.photo]));
    const workspace = await ComposeWorkspace.create();
    try {
      await workspace.prepareShots(storyboard, async (mediaId) => byId.get(mediaId)!);
      const clipSounds = storyboard.shots
        .filter((shot) => shot.kind === 'clip')
        .map((shot) => ({
          bytes: byId.get(shot.mediaId!)!.bytes,
          atSec: shot.startSec,
          durationSec: shot.durationSec,
          clipStartSec: shot.clipStartSec ?? 0,
        }));
      const { mp4 } = await workspace.render(
        storyboard,
        {
          music: toneWav(storyboard.durationSec, 220, 2),
          voice: toneWav(storyboard.durationSec, 440, 1),
          clips: clipSounds,
        },
        ffmpeg,
      );
      video = join(dir, 'video.mp4');
      writeFileSync(video, mp4);
    } finally {
      await workspace.dispose();
    }
  }, 240_000);

  it('keeps the storyboard length and frame size', async () => {
    expect(storyboard.shots.map((shot) => shot.kind)).toEqual(['photo', 'clip', 'clip', 'photo']);
    const probe = await probeMedia(ffmpeg, video);
    expect(probe.video).toMatchObject({ codec: 'h264', width: W, height: H });
    expect(Math.abs(probe.durationSec - storyboard.durationSec)).toBeLessThan(0.1);
  });

  it.each<['portrait' | 'hevc', number, number]>([
    ['portrait', 1, 0],
    ['hevc', 2, 2],
  ])(
    'plays the %s clip upright and in real time from its moment, over the whole shot',
    async (name, index, clipStartSec) => {
      const shot = storyboard.shots[index]!;
      const file = join(dir, `${name}.mp4`);
      writeFileSync(file, clips[name].bytes);
      const filter = `${clipFilter({ width: W, height: H, fps: FPS, hdr: null })},format=gray`;
      for (const into of [0.5, 1.5]) {
        const rendered = await lumaAt(video, shot.startSec + into);
        const upright = await lumaAt(file, clipStartSec + into, [], filter);
        // The same picture read without its display matrix: what a clip shown unrotated would look like.
        const unrotated = await lumaAt(file, clipStartSec + into, ['-noautorotate'], filter);
        const right = correlation(rendered, upright);
        expect(right, `${name} at ${into} s`).toBeGreaterThan(0.8);
        expect(meanAbsDiff(rendered, upright)).toBeLessThan(8);
        // Upright, not as stored: the portrait clip read without its display matrix does not match at all.
        if (name === 'portrait') expect(correlation(rendered, unrotated)).toBeLessThan(right - 0.5);
        // A frame from a second earlier in the clip matches less: the clip moves in real time.
        const stale = await lumaAt(file, Math.max(0, clipStartSec + into - 1), [], filter);
        expect(meanAbsDiff(rendered, stale)).toBeGreaterThan(meanAbsDiff(rendered, upright));
      }
    },
  );

  it('detects an HLG clip and decodes it through the tone-map chain (zscale, tonemap)', async () => {
    // Debian's x264 tags the stream's transfer and primaries; the bundled build writes only the matrix.
    const hlg = join(dir, 'hlg.mp4');
    await ffmpegOutput(FFMPEG_BUILDS.debian, [
      ...['-f', 'lavfi', '-i', 'color=c=0x808080:s=320x240:d=1:r=30', '-c:v', 'libx264', '-pix_fmt', 'yuv420p'],
      ...['-color_trc', 'arib-std-b67', '-color_primaries', 'bt2020', '-colorspace', 'bt2020nc', '-y', hlg],
    ]);
    expect(parseClipReport(await probeReport(ffmpeg, hlg)).hdr).toBe('hlg');
    const frames = new ClipFrames({ ffmpeg, file: hlg, startSec: 0, width: 64, height: 64, fps: 30, hdr: 'hlg' });
    try {
      const { y } = await frames.frameAt(5);
      const mean = y.reduce((sum, v) => sum + v, 0) / y.length;
      // Mid-grey comes out mid-grey: the chain runs end to end, neither black nor clipped.
      expect(mean).toBeGreaterThan(40);
      expect(mean).toBeLessThan(200);
    } finally {
      frames.close();
    }
  });

  it('carries each clip shot’s own sound under the narration, and stays at -16 LUFS', async () => {
    const [photo1, portrait, hevc, photo2] = storyboard.shots;
    const window = (shot: typeof photo1) => highLevelDb(video, shot!.startSec + 0.3, shot!.startSec + SHOT_SEC - 0.3);
    const photoLevel = Math.max(await window(photo1), await window(photo2));
    for (const shot of [portrait!, hevc!]) expect((await window(shot)) - photoLevel, shot.mediaId).toBeGreaterThan(15);
    const loudness = await measureLoudness(ffmpeg, video);
    expect(Math.abs(loudness.integratedLufs + 16)).toBeLessThanOrEqual(1);
  });
});

describe('a clip shorter than its shot', () => {
  it('holds its last frame, also when the frames asked for begin past its end (a segment inside the hold)', async () => {
    ffmpeg ||= (await findFfmpeg())!.path;
    const file = join(dir, 'short.mp4');
    writeFileSync(file, clipFixture('landscape-hevc'));
    const decoder = () => new ClipFrames({ ffmpeg, file, startSec: 3, width: 64, height: 36, fps: FPS, hdr: null });
    // 5 s from 3 s in: 2 s of picture, then its last frame held to the end of the shot (frame 150).
    const fromStart = decoder();
    const fromInside = decoder();
    try {
      const moving = Uint8Array.from((await fromStart.frameAt(30)).y);
      for (let i = 31; i <= 150; i++) await fromStart.frameAt(i);
      const held = Uint8Array.from(fromStart.planes.y);
      expect(meanAbsDiff(held, moving)).toBeGreaterThan(1);
      const late = Uint8Array.from((await fromInside.frameAt(120)).y);
      expect(meanAbsDiff(late, held)).toBe(0);
      expect(meanAbsDiff((await fromInside.frameAt(150)).y, held)).toBe(0);
    } finally {
      fromStart.close();
      fromInside.close();
    }
  });
});
