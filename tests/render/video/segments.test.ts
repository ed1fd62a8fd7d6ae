import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComposeWorkspace } from '../../../src/render/video/workspace.js';
import { FPS, frameSpans, shotBodies } from '../../../src/render/graph.js';
import { encodeWav } from '../../../src/render/sound/wav.js';
import { planSegments, segmentCount, segmentSettings } from '../../../src/pipeline/index.js';
import type { Storyboard } from '../../../src/schemas/run.js';
import { inspectMp4 } from '../../helpers/mp4.js';
import {
  FFMPEG_BUILDS,
  mediaFor,
  renderStoryboard,
  storyboardFor,
  texturedPhoto,
  type TestShot,
} from '../../helpers/render.js';
import { frameShifts, judder, lumaFrames } from '../../helpers/video-measure.js';

const ffmpeg = process.env.FFMPEG_PATH ?? FFMPEG_BUILDS.bundled;
const SIZE = 128;

describe('segment plans', () => {
  const timeline = {
    durationSec: 20,
    shots: Array.from({ length: 8 }, (_, i) => ({ startSec: i * 2.5, durationSec: 3 })),
  };

  it('cut only inside shot bodies, cover every frame once, and come out nearly equal', () => {
    const bodies = shotBodies(frameSpans(timeline.shots, FPS), 600);
    for (const count of [2, 3, 4, 7]) {
      const segments = planSegments(timeline, count, FPS);
      expect(segments).toHaveLength(count);
      expect(segments[0]!.from).toBe(0);
      expect(segments.at(-1)!.to).toBe(600);
      for (let i = 1; i < segments.length; i++) {
        const cut = segments[i]!.from;
        expect(segments[i - 1]!.to).toBe(cut);
        // Frames cut - 1 and cut are both in one shot's body: no transition is split.
        expect(bodies.some((body) => body.from <= cut - 1 && cut < body.to)).toBe(true);
      }
      const lengths = segments.map((s) => s.to - s.from);
      expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(600 / count / 2);
    }
  });

  it('balance the work, not the frames: photos that cost more to prepare get shorter segments', () => {
    // Eight photos shown whole over a blurred fill, then eight cropped; a fill costs more to prepare.
    const mixed = {
      durationSec: 48,
      width: 1920,
      height: 1080,
      shots: Array.from({ length: 16 }, (_, i) => ({
        startSec: i * 3,
        durationSec: 3,
        framing: i < 8 ? ('fill' as const) : ('crop' as const),
      })),
    };
    const segments = planSegments(mixed, 4, FPS);
    expect(segments).toHaveLength(4);
    const frames = segments.map((segment) => segment.to - segment.from);
    expect(frames[0]! + frames[1]!).toBeLessThan(frames[2]! + frames[3]!);
    // The same timeline with every photo cropped splits into nearly equal parts (a cut shot is prepared twice).
    const cropped = planSegments(
      { ...mixed, shots: mixed.shots.map((shot) => ({ ...shot, framing: 'crop' as const })) },
      4,
      FPS,
    ).map((segment) => segment.to - segment.from);
    expect(Math.max(...cropped) - Math.min(...cropped)).toBeLessThanOrEqual(20);
    expect(frames[0]).toBeLessThan(Math.min(...cropped));
  });

  it('give a timeline that is mostly transition fewer segments rather than cut one', () => {
    // Frames 30 to 90 are a crossfade: no cut may fall there, so there is no room for a second segment.
    const crossfade = {
      durationSec: 4,
      shots: [
        { startSec: 0, durationSec: 3 },
        { startSec: 1, durationSec: 3 },
      ],
    };
    expect(planSegments(crossfade, 8, FPS)).toEqual([{ index: 0, from: 0, to: 120 }]);
  });

  it('split by the work in the picture: 180 s of 1080p into the most allowed, a short clip not at all', () => {
    const settings = { max: 8, secondsPerSegment: 20 };
    expect(segmentCount({ durationSec: 180, width: 1920, height: 1080 }, settings)).toBe(8);
    expect(segmentCount({ durationSec: 60, width: 1920, height: 1080 }, settings)).toBe(3);
    expect(segmentCount({ durationSec: 30, width: 1920, height: 1080 }, settings)).toBe(1);
    expect(segmentCount({ durationSec: 60, width: 640, height: 360 }, settings)).toBe(1);
    expect(segmentCount({ durationSec: 180, width: 1920, height: 1080 }, { max: 1, secondsPerSegment: 20 })).toBe(1);
  });

  it('split short where every segment has an instance of its own (Netlify), long where they share the cores', () => {
    const fullHd = (durationSec: number) => ({ durationSec, width: 1920, height: 1080 });
    const lambda = segmentSettings({ AWS_LAMBDA_FUNCTION_NAME: 'run-pipeline-background' });
    expect(lambda).toEqual({ max: 24, secondsPerSegment: 2.5 });
    expect(segmentCount(fullHd(60), lambda)).toBe(24);
    expect(segmentCount(fullHd(180), lambda)).toBe(24);
    expect(segmentCount(fullHd(4), lambda)).toBe(1);
    expect(segmentSettings({})).toEqual({ max: 24, secondsPerSegment: 20 });
    expect(segmentCount(fullHd(60), segmentSettings({}))).toBe(3);
    // The site's own setting wins on either.
    expect(segmentSettings({ NETLIFY: 'true', SIRTRAV_SEGMENT_SECONDS: '6', SIRTRAV_SEGMENTS_MAX: '16' })).toEqual({
      max: 16,
      secondsPerSegment: 6,
    });
  });
});

describe('a render in segments, joined by stream copy', () => {
  let shots: TestShot[];
  let storyboard: Storyboard;
  let single: { file: string; cleanup: () => void };
  let joined: string;
  let segments: ReturnType<typeof planSegments>;
  const dir = mkdtempSync(join(tmpdir(), 'sirtrav-segments-test-'));

  beforeAll(async () => {
    const motions = ['pan-left', 'pan-right', 'pan-up', 'pan-down'] as const;
    shots = await Promise.all(
      motions.map(async (motion, i) => ({
        photo: { media: mediaFor(`m_seg${i}`, 1500, 1000), bytes: await texturedPhoto(1500, 1000, i + 7) },
        motion,
      })),
    );
    storyboard = storyboardFor(shots, { resolution: '360p', shotSec: 2.5, transitionSec: 0.5 });
    single = await renderStoryboard(storyboard, shots, ffmpeg);
    segments = planSegments(storyboard, 3, FPS);
    const byId = new Map(shots.map((shot) => [shot.photo.media.mediaId as string, shot.photo]));
    const load = async (mediaId: string) => byId.get(mediaId)!;
    // Each segment in a workspace of its own, preparing only its shots, as its own invocation would.
    const pictures: string[] = [];
    for (const segment of segments) {
      const workspace = await ComposeWorkspace.create();
      try {
        await workspace.prepareShots(storyboard, load, undefined, ComposeWorkspace.shotsFor(storyboard, segment));
        const file = await workspace.renderPicture(storyboard, segment, ffmpeg);
        pictures.push(join(dir, `segment-${segment.index}.mp4`));
        copyFileSync(file, pictures.at(-1)!);
      } finally {
        await workspace.dispose();
      }
    }
    const workspace = await ComposeWorkspace.create();
    try {
      const silence = encodeWav({
        sampleRate: 44100,
        channels: [new Float32Array(Math.ceil(storyboard.durationSec * 44100))],
      });
      const soundtrack = await workspace.soundtrack(storyboard, { music: silence, voice: null }, ffmpeg);
      const video = await workspace.join(storyboard, soundtrack, pictures, ffmpeg);
      joined = join(dir, 'joined.mp4');
      copyFileSync(join(workspace.dir, 'final.mp4'), joined);
      expect(video.mp4.byteLength).toBeGreaterThan(0);
    } finally {
      await workspace.dispose();
    }
  }, 240_000);

  afterAll(() => {
    single?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('equals the one-piece render in duration, frame count and streams, and decodes without an error', async () => {
    expect(segments).toHaveLength(3);
    const [a, b] = await Promise.all([inspectMp4(readFileSync(single.file)), inspectMp4(readFileSync(joined))]);
    expect(b.decodeErrors).toBe('');
    expect({ video: b.video, audio: b.audio, size: b.size }).toEqual({ video: a.video, audio: a.audio, size: a.size });
    expect(Math.abs(b.durationSec - a.durationSec)).toBeLessThanOrEqual(0.03);
    const [framesA, framesB] = await Promise.all([
      lumaFrames(ffmpeg, single.file, SIZE),
      lumaFrames(ffmpeg, joined, SIZE),
    ]);
    expect(framesA.length).toBe(Math.round(storyboard.durationSec * FPS));
    expect(framesB.length).toBe(framesA.length);
    // The first segment is the same encode as the whole render's first frames, bit for bit (its tail keeps x264's lookahead whole).
    for (let n = 0; n < segments[0]!.to; n++) expect(meanAbsDiff(framesA[n]!, framesB[n]!), `frame ${n}`).toBe(0);
    // Every later frame shows the picture of the same instant: no frame is doubled, dropped or shifted.
    const fadeOut = framesA.length - FPS;
    for (let n = segments[0]!.to; n < fadeOut; n++) {
      const { dx, dy } = frameShifts([framesA[n]!, framesB[n]!], SIZE)[0]!;
      expect(Math.hypot(dx, dy), `frame ${n}`).toBeLessThan(0.1);
    }
  });

  it('has seams no viewer can find: change and motion across each join are those inside a segment', async () => {
    const frames = await lumaFrames(ffmpeg, joined, SIZE);
    const whole = await lumaFrames(ffmpeg, single.file, SIZE);
    const change = frames.slice(1).map((frame, i) => meanAbsDiff(frames[i]!, frame));
    for (const [k, { from: cut }] of segments.entries()) {
      if (k === 0) continue;
      const inside = [...change.slice(segments[k - 1]!.from, cut - 1), ...change.slice(cut, segments[k]!.to - 1)];
      expect(change[cut - 1]!, `change at the join at frame ${cut}`).toBeLessThanOrEqual(Math.max(...inside));
      // The picture measure, over the body of the shot the join falls in (≤ 0.1 px/frame² is smooth).
      const body = shotBodies(frameSpans(storyboard.shots, FPS), frames.length).find(
        (b) => b.from < cut && cut < b.to,
      )!;
      const shifts = frameShifts(frames.slice(body.from, body.to), SIZE);
      // The pans move well over a tenth of a pixel per frame, so a doubled or dropped frame would show.
      expect(Math.min(...shifts.map((s) => Math.hypot(s.dx, s.dy))), `motion around frame ${cut}`).toBeGreaterThan(0.3);
      const reference = judder(frameShifts(whole.slice(body.from, body.to), SIZE));
      console.log(`join at ${cut}: judder ${judder(shifts).toFixed(3)}, whole render ${reference.toFixed(3)}`);
      expect(judder(shifts), `judder across the join at frame ${cut}`).toBeLessThanOrEqual(0.1);
    }
  });
});

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
