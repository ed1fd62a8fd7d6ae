import { describe, expect, it } from 'vitest';
import { beatTimeline, MIN_SHOT_SEC } from '../../../src/pipeline/agents/director/timeline.js';
import { MOODS } from '../../../src/style/styles.js';

const FRAME = 1 / 30;

describe('a timeline on the beat', () => {
  const cases = Object.values(MOODS).flatMap(({ bpm }) =>
    [4, 6, 10, 18, 30, 61, 180].flatMap((d) => [2, 5, 10, 40].map((count) => ({ bpm, d, count }))),
  );

  it.each(cases)(
    '$count shots in $d s at $bpm bpm: every cut on a beat, shots fill the video, none too short',
    ({ bpm, d, count }) => {
      const grid = { bpm, beatOffsetSec: 0.5 };
      const { startSec, durationSec } = beatTimeline(d, count, grid);
      const transitionSec = startSec.length > 1 ? startSec[0]! + durationSec[0]! - startSec[1]! : 0;
      const beat = 60 / bpm;
      expect(startSec[0]).toBe(0);
      for (const cut of startSec.slice(1)) {
        const k = Math.round((cut - grid.beatOffsetSec) / beat);
        expect(Math.abs(cut - (grid.beatOffsetSec + k * beat))).toBeLessThanOrEqual(FRAME);
      }
      // Consecutive shots all overlap by the same transition, and the last ends with the video.
      startSec.forEach((start, i) => {
        const end = start + durationSec[i]!;
        if (i + 1 < startSec.length) expect(end - startSec[i + 1]!).toBeCloseTo(transitionSec, 2);
        else expect(end).toBeCloseTo(d, 2);
        expect(durationSec[i]!).toBeGreaterThanOrEqual(Math.min(d, MIN_SHOT_SEC) - 0.01);
      });
      expect(startSec.length).toBeLessThanOrEqual(count);
    },
  );

  it('long shots are cut on bar lines', () => {
    const grid = { bpm: 80, beatOffsetSec: 0.5 };
    const { startSec } = beatTimeline(30, 10, grid);
    const bar = (4 * 60) / 80;
    for (const cut of startSec.slice(1)) expect(((cut - 0.5) / bar) % 1).toBeCloseTo(0, 3);
  });

  it('is deterministic: the same storyboard inputs give the same timeline', () => {
    expect(beatTimeline(42, 12, { bpm: 112, beatOffsetSec: 0.5 })).toEqual(
      beatTimeline(42, 12, { bpm: 112, beatOffsetSec: 0.5 }),
    );
  });
});
