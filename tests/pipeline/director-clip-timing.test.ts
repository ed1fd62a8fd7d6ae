import { describe, expect, it } from 'vitest';
import { speakingSec } from '../../src/pipeline/agents/director/narration.js';
import { planStoryboard } from '../../src/pipeline/agents/director/storyboard-plan.js';
import type { Media } from '../../src/schemas/media.js';
import { storyboardSchema, type Storyboard } from '../../src/schemas/run.js';
import { MOODS } from '../../src/style/styles.js';
import { mediaFor } from '../helpers/render.js';

const FRAME = 1 / 30;
const PARIS = { latitude: 48.8584, longitude: 2.2945, altitude: null };
const LYON = { latitude: 45.764, longitude: 4.8357, altitude: null };

/** An item taken `minute` minutes into 14 July 2024. */
const at = (minute: number) => new Date(Date.UTC(2024, 6, 14, 9, minute)).toISOString().slice(0, 19);

const photo = (id: string, minute: number, gps: Media['gps'] = null): Media => ({
  ...mediaFor(id, 1200, 800),
  takenAt: at(minute),
  gps,
});

const clip = (id: string, minute: number, durationSec: number, gps: Media['gps'] = null): Media => ({
  ...mediaFor(id, 1920, 1080, 'video/mp4'),
  kind: 'clip',
  durationSec,
  takenAt: at(minute),
  gps,
});

const livePhoto = (id: string, minute: number, motionSec: number): Media => ({
  ...photo(id, minute),
  liveClip: { mediaId: `${id}_motion` as Media['mediaId'], durationSec: motionSec },
});

/** The clip length behind each clip shot, by the media id the shot plays. */
function clipLengths(media: Media[]): Map<string, number> {
  return new Map(
    media.flatMap((item): Array<[string, number]> => {
      if (item.kind === 'clip') return [[item.mediaId, item.durationSec!]];
      return item.liveClip ? [[item.liveClip.mediaId, item.liveClip.durationSec]] : [];
    }),
  );
}

/** The media item a shot shows (a Live Photo's motion is its photo). */
const itemOf = (media: Media[], mediaId: string) =>
  media.find((item) => item.mediaId === mediaId || item.liveClip?.mediaId === mediaId)!;

function plan(media: Media[], durationSec: number, mood: keyof typeof MOODS): Storyboard {
  const style = { mood, musicStyle: MOODS[mood].musicStyle, source: 'default' as const, reason: 'test' };
  // Upload order is not time order: the director sorts by time taken.
  return planStoryboard({ runId: `r_${mood}`, media: [...media].reverse(), request: { durationSec }, style });
}

/** Everything a plan with clips must keep, whatever the tempo. */
function expectClipTiming(storyboard: Storyboard, media: Media[]): void {
  expect(storyboardSchema.parse(storyboard)).toEqual(storyboard);
  const { shots, durationSec } = storyboard;
  const beat = 60 / storyboard.music!.bpm;
  const offset = storyboard.music!.beatOffsetSec;
  // Total = duration; every cut on a beat; consecutive shots overlap by one transition.
  expect(shots[0]!.startSec).toBe(0);
  const last = shots[shots.length - 1]!;
  expect(last.startSec + last.durationSec).toBeCloseTo(durationSec, 6);
  const transition = shots[0]!.durationSec - shots[1]!.startSec;
  shots.forEach((shot, i) => {
    if (i === 0) return;
    const k = Math.round((shot.startSec - offset) / beat);
    expect(Math.abs(shot.startSec - (offset + k * beat)), `cut ${i} at ${shot.startSec}`).toBeLessThan(FRAME);
    expect(shots[i - 1]!.startSec + shots[i - 1]!.durationSec - shot.startSec).toBeCloseTo(transition, 2);
  });
  // Clips in time order with the photos.
  const pictures = shots.filter((shot) => shot.kind !== 'map');
  const taken = pictures.map((shot) => itemOf(media, shot.mediaId!).takenAt!);
  expect(taken).toEqual([...taken].sort());
  // Every clip shot within its bounds, and never past its clip's end.
  const lengths = clipLengths(media);
  const clips = shots.filter((shot) => shot.kind === 'clip');
  expect(clips.length).toBeGreaterThan(0);
  for (const shot of clips) {
    const clipSec = lengths.get(shot.mediaId!)!;
    const [min, max] = [Math.min(2, clipSec), Math.min(6, clipSec)];
    const label = `${shot.mediaId}: ${shot.durationSec} s of ${clipSec} s from ${shot.clipStartSec}`;
    expect(shot.durationSec, label).toBeLessThanOrEqual(max);
    // Under the minimum only where the next length on the grid (a beat longer) would pass the clip's end.
    if (shot.durationSec < min) expect(shot.durationSec + beat, label).toBeGreaterThan(max);
    expect(shot.clipStartSec! + shot.durationSec, label).toBeLessThanOrEqual(clipSec + 1e-9);
  }
  for (const shot of shots.filter((s) => s.kind === 'photo')) expect(shot.durationSec).toBeGreaterThanOrEqual(1.5);
  // The narration is still placed from the shots: each line said before the next starts, all within the video.
  const lines = storyboard.narration.segments ?? [];
  expect(lines.length).toBeGreaterThan(0);
  lines.forEach((line, i) => {
    expect(line.startSec).toBeGreaterThanOrEqual(0);
    const next = lines[i + 1]?.startSec ?? durationSec;
    expect(line.startSec + speakingSec(line.text)).toBeLessThanOrEqual(next);
  });
  // Chapters start where shots start.
  const starts = new Set(shots.map((shot) => shot.startSec));
  for (const chapter of storyboard.chapters) expect(starts.has(chapter.startSec)).toBe(true);
}

const moods = Object.keys(MOODS) as Array<keyof typeof MOODS>;

describe('a clip shot is a 2–6 s moment on the beat', () => {
  it.each(moods)('5 items with 2 long clips in 60 s, a map between two places (%s)', (mood) => {
    const media = [
      photo('m_a', 0, PARIS),
      clip('m_clip1', 10, 14, PARIS),
      photo('m_b', 20, PARIS),
      clip('m_clip2', 200, 9.5, LYON),
      photo('m_c', 210, LYON),
    ];
    const storyboard = plan(media, 60, mood);
    expect(storyboard.shots.some((shot) => shot.kind === 'map')).toBe(true);
    expect(storyboard.shots.filter((shot) => shot.kind === 'clip')).toHaveLength(2);
    expectClipTiming(storyboard, media);
    // With time to spare each clip gets near the 6 s it wants (within a beat or two of the bar), and the photos
    // share what the clips leave: each longer than any clip.
    for (const shot of storyboard.shots.filter((s) => s.kind === 'clip')) expect(shot.durationSec).toBeGreaterThan(5);
    const photos = storyboard.shots.filter((shot) => shot.kind === 'photo').map((shot) => shot.durationSec);
    expect(Math.min(...photos)).toBeGreaterThan(6);
  });

  it.each(moods)('20 items with 4 clips in 30 s (%s)', (mood) => {
    const media = Array.from({ length: 20 }, (_, i) =>
      i % 5 === 2 ? clip(`m_clip${i}`, i * 3, 4 + i / 5) : photo(`m_photo${i}`, i * 3),
    );
    const storyboard = plan(media, 30, mood);
    expectClipTiming(storyboard, media);
  });

  it.each(moods)('a 2.5 s clip and a Live Photo of 3 s among photos (%s)', (mood) => {
    const media = [
      photo('m_a', 0),
      livePhoto('m_live', 5, 3),
      photo('m_b', 10),
      clip('m_short', 15, 2.5),
      photo('m_c', 20),
    ];
    const storyboard = plan(media, 24, mood);
    expect(storyboard.shots.map((shot) => shot.kind)).toEqual(['photo', 'clip', 'photo', 'clip', 'photo']);
    expectClipTiming(storyboard, media);
  });

  it.each(moods)('clips alone, their moments too short for the video: longer, none past its end (%s)', (mood) => {
    const media = [clip('m_one', 0, 5), clip('m_two', 10, 8), clip('m_three', 20, 7)];
    const storyboard = plan(media, 16, mood);
    const lengths = clipLengths(media);
    expect(storyboard.shots).toHaveLength(3);
    for (const shot of storyboard.shots)
      expect(shot.clipStartSec! + shot.durationSec).toBeLessThanOrEqual(lengths.get(shot.mediaId!)! + 1e-9);
    const last = storyboard.shots[2]!;
    expect(last.startSec + last.durationSec).toBeCloseTo(16, 6);
  });
});
