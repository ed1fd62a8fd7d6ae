import { describe, expect, it } from 'vitest';
import { analysePhotos } from '../../src/media/analyse.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureClipLoudness } from '../../src/media/clip-loudness.js';
import { measureClipMotion } from '../../src/media/clip-motion.js';
import { runFfmpeg } from '../../src/render/ffmpeg.js';
import { findFfmpeg } from '../../src/media/find-ffmpeg.js';
import { pickClipStart } from '../../src/pipeline/agents/director/clip-moment.js';
import { planStoryboard } from '../../src/pipeline/agents/director/storyboard-plan.js';
import type { Media } from '../../src/schemas/media.js';
import { storyboardSchema } from '../../src/schemas/run.js';
import { FFMPEG_BUILDS, mediaFor, texturedPhoto } from '../helpers/render.js';
import { clipFixture } from '../media/clip-fixtures.js';

const style = { mood: 'calm', musicStyle: 'acoustic', source: 'default' as const, reason: 'test' };

const clipMedia = (id: string, takenAt: string, durationSec: number, gps: Media['gps'] = null): Media => ({
  ...mediaFor(id, 1080, 1920, 'video/mp4'),
  kind: 'clip',
  durationSec,
  takenAt,
  gps,
});

describe('a clip moment', () => {
  it('is the loudest stretch of the shot length, the middle when silent, the start when the clip is short', () => {
    const rms = Array.from({ length: 40 }, (_, i) => (i >= 24 && i < 32 ? 0.5 : 0.01));
    expect(pickClipStart(10, 2, { stepSec: 0.25, rms })).toBe(6);
    expect(pickClipStart(10, 2, { stepSec: 0.25, rms: rms.map(() => 0) })).toBe(4);
    expect(pickClipStart(10, 2, null)).toBe(4);
    expect(pickClipStart(2, 3.5, { stepSec: 0.25, rms })).toBe(0);
  });

  it('weighs motion like sound: in a silent clip the moving stretch, in a loud one sound and motion together', () => {
    const still = Array.from({ length: 40 }, (_, i) => (i >= 12 && i < 20 ? 9 : 0.2));
    const silence = still.map(() => 0);
    expect(pickClipStart(10, 2, { stepSec: 0.25, rms: silence, motion: still })).toBe(3);
    expect(pickClipStart(10, 2, { stepSec: 0.25, rms: [], motion: still })).toBe(3);
    // A cheer at 6 s over a still picture, a wave at 3 s in silence, and a stretch at 4.5 s with both: the last wins.
    const rms = Array.from({ length: 40 }, (_, i) => ((i >= 24 && i < 32) || (i >= 18 && i < 26) ? 0.5 : 0.01));
    const motion = Array.from({ length: 40 }, (_, i) => ((i >= 12 && i < 20) || (i >= 18 && i < 26) ? 9 : 0.2));
    expect(pickClipStart(10, 2, { stepSec: 0.25, rms, motion })).toBe(4.5);
  });

  it('reads motion from the picture: a still stretch measures little, a moving one a lot', async () => {
    const ffmpeg = (await findFfmpeg())!.path;
    const dir = mkdtempSync(join(tmpdir(), 'sirtrav-clip-motion-test-'));
    try {
      const file = join(dir, 'clip.mp4');
      // 3 s of a still picture (the pattern's first frame held), then 3 s of the moving pattern, in silence.
      await runFfmpeg(FFMPEG_BUILDS.debian, [
        ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30:duration=6'],
        ...['-f', 'lavfi', '-i', 'anullsrc=sample_rate=48000:channel_layout=stereo'],
        '-filter_complex',
        '[0:v]split[a][b];[a]trim=end_frame=1,loop=loop=89:size=1:start=0,setpts=N/30/TB[still];' +
          '[b]trim=start=3,setpts=PTS-STARTPTS[moving];[still][moving]concat=n=2:v=1:a=0[v]',
        ...['-map', '[v]', '-map', '1:a', '-t', '6', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', file],
      ]);
      const bytes = new Uint8Array(readFileSync(file));
      const measured = await measureClipMotion(ffmpeg, bytes);
      expect(measured!.stepSec).toBe(0.25);
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      const [still, moving] = [measured!.motion.slice(1, 10), measured!.motion.slice(14, 22)];
      expect(mean(moving), measured!.motion.map((m) => m.toFixed(1)).join(' ')).toBeGreaterThan(5 * mean(still) + 1);
      const sound = await measureClipLoudness(ffmpeg, bytes);
      const start = pickClipStart(6, 2, { stepSec: 0.25, rms: sound?.rms ?? [], motion: measured!.motion });
      expect(start).toBeGreaterThanOrEqual(2.75);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is measured from the clip sound with the project ffmpeg, a value every quarter second', async () => {
    const loudness = await measureClipLoudness((await findFfmpeg())!.path, clipFixture('landscape-hevc'));
    expect(loudness!.stepSec).toBe(0.25);
    expect(loudness!.rms.length).toBeGreaterThanOrEqual(19);
    expect(Math.max(...loudness!.rms)).toBeGreaterThan(0);
  });
});

describe('the director with clips', () => {
  it('places clips in time order with the photos, names their place, and never curates them as photos', async () => {
    const photos = await Promise.all(
      [0, 1, 2].map(async (i) => ({
        media: { ...mediaFor(`m_p${i}`, 1200, 800), takenAt: `2024-07-14T1${i * 2}:00:00` },
        bytes: await texturedPhoto(1200, 800, 10 + i),
      })),
    );
    const paris = { latitude: 48.8584, longitude: 2.2945, altitude: null };
    const clipA = clipMedia('m_clipA', '2024-07-14T11:00:00', 10, paris);
    // Taken a moment after clipA: by photo rules a near-duplicate would go, a clip stays.
    const clipB = clipMedia('m_clipB', '2024-07-14T11:00:30', 2);
    const bytes = new Map(photos.map((p) => [p.media.mediaId as string, p.bytes]));
    const facts = await analysePhotos(
      photos.map((p) => p.media),
      async (id) => bytes.get(id)!,
    );
    const loud = Array.from({ length: 40 }, (_, i) => (i >= 28 ? 0.4 : 0.02));
    const storyboard = planStoryboard(
      {
        runId: 'r_clips',
        media: [clipB, ...photos.map((p) => p.media), clipA],
        request: { durationSec: 18 },
        style,
        facts,
        clips: new Map([
          ['m_clipA', { stepSec: 0.25, rms: loud }],
          ['m_clipB', null],
        ]),
      },
      {},
    );
    expect(storyboardSchema.parse(storyboard)).toEqual(storyboard);
    expect(storyboard.shots.map((shot) => [shot.mediaId, shot.kind])).toEqual([
      ['m_p0', 'photo'],
      ['m_clipA', 'clip'],
      ['m_clipB', 'clip'],
      ['m_p1', 'photo'],
      ['m_p2', 'photo'],
    ]);
    expect(storyboard.curation.skipped).toEqual([]);
    const [, shotA, shotB] = storyboard.shots;
    expect(shotA!.place).toMatch(/Paris/);
    // The loud end of clip A, as far as the shot's length allows; clip B's 2 s take the longest shot on the beat
    // that ends within it (at 80 bpm one beat and a transition, 1.31 s), its unmeasured middle.
    const room = 10 - shotA!.durationSec;
    expect(shotA!.clipStartSec).toBeGreaterThan(room - 0.25);
    expect(shotA!.clipStartSec).toBeLessThanOrEqual(room);
    expect(shotB!.durationSec).toBeLessThanOrEqual(2);
    expect(shotB!.durationSec + 0.75).toBeGreaterThan(2);
    expect(shotB!.clipStartSec).toBeCloseTo((2 - shotB!.durationSec) / 2, 2);
    expect(storyboard.shots.every((shot) => (shot.kind === 'clip') === (shot.clipStartSec !== undefined))).toBe(true);
  });

  it('plays a Live Photo as its motion, named by the photo', () => {
    const live = {
      ...mediaFor('m_still', 1200, 800),
      takenAt: '2024-07-14T10:00:00',
      liveClip: { mediaId: 'm_motion' as Media['mediaId'], durationSec: 3 },
    };
    const storyboard = planStoryboard({
      runId: 'r_live',
      media: [live, { ...mediaFor('m_other', 1200, 800), takenAt: '2024-07-14T11:00:00' }],
      request: { durationSec: 8 },
      style,
    });
    expect(storyboard.shots[0]).toMatchObject({ kind: 'clip', mediaId: 'm_motion', clipStartSec: expect.any(Number) });
    expect(storyboard.shots[1]).toMatchObject({ kind: 'photo', mediaId: 'm_other' });
  });

  it('reads a stored storyboard without shot kinds as photos', () => {
    const shot = { mediaId: 'm_old', startSec: 0, durationSec: 3, motion: 'zoom-in', scene: 0, caption: null };
    const parsed = storyboardSchema.shape.shots.parse([shot]);
    expect(parsed[0]!.kind).toBe('photo');
    expect(parsed[0]!.clipStartSec).toBeUndefined();
  });
});
