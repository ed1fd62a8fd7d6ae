import { describe, expect, it } from 'vitest';
import { applyEdits, EditError } from '../../src/edits/index.js';
import type { Edit } from '../../src/schemas/edit.js';
import { startRunBodySchema, type Shot, type Storyboard } from '../../src/schemas/run.js';
import { parseId } from '../../src/storage/index.js';
import { oneShotStoryboard } from '../helpers/storyboard.js';

/** Four shots of 3 beats at 120 bpm (first beat at 0.5 s), 0.5 s transitions, 12 s in all. */
function fourShots(): Storyboard {
  const starts = [0, 3.5, 6.5, 9.5];
  const shot = (i: number): Shot => ({
    kind: 'photo' as const,
    mediaId: parseId(`m_photo${i}`),
    startSec: starts[i]!,
    durationSec: i < 3 ? starts[i + 1]! + 0.5 - starts[i]! : 12 - starts[i]!,
    motion: i % 2 ? 'pan-left' : 'zoom-in',
    scene: i < 2 ? 0 : 1,
    caption: `caption ${i}`,
    place: null,
    framing: 'crop',
    focus: { x: 0.1, y: 0.2, width: 0.3, height: 0.4 },
  });
  return oneShotStoryboard({
    durationSec: 12,
    shots: [0, 1, 2, 3].map(shot),
    scenes: [
      { index: 0, startedAt: null, place: null, shotCount: 2 },
      { index: 1, startedAt: null, place: null, shotCount: 2 },
    ],
    title: { text: 'Porto', subtitle: 'May 2026' },
    music: { bpm: 120, beatOffsetSec: 0.5 },
    narration: {
      enabled: true,
      script: 'One. Two.',
      segments: [
        { startSec: 0.6, text: 'One.' },
        { startSec: 6.7, text: 'Two.' },
      ],
    },
  });
}

/** The storyboard with shot `index` playing a clip (under the same media id) from `clipStartSec`. */
function withClip(storyboard: Storyboard, index: number, clipStartSec: number): Storyboard {
  const shots = storyboard.shots.map((shot, i) =>
    i === index ? { ...shot, kind: 'clip' as const, framing: 'crop' as const, focus: null, clipStartSec } : shot,
  );
  return { ...storyboard, shots };
}

const timing = (storyboard: Storyboard) => storyboard.shots.map(({ startSec, durationSec }) => [startSec, durationSec]);
const pictures = (storyboard: Storyboard) => storyboard.shots.map((shot) => shot.mediaId);
const onBeat = (sec: number) => Math.abs((sec - 0.5) / 0.5 - Math.round((sec - 0.5) / 0.5)) < 1e-6;

describe('applyEdits', () => {
  it('replace puts another photo in the shot on the same timing, framed from its analysis, else whole', () => {
    const source = fourShots();
    const { framingReason: _reason, ...shot2 } = source.shots[2]!;
    const unknown = applyEdits(source, [{ op: 'replace', shot: 2, mediaId: parseId('m_new') }]);
    expect(pictures(unknown)).toEqual(['m_photo0', 'm_photo1', 'm_new', 'm_photo3']);
    expect(timing(unknown)).toEqual(timing(source));
    expect(unknown.shots[2]).toEqual({ ...shot2, mediaId: 'm_new', focus: null, framing: 'fill' });
    expect(unknown.shots[1]).toEqual(source.shots[1]);
    const focus = { x: 0.6, y: 0.2, width: 0.2, height: 0.3 };
    const analysed = applyEdits(source, [{ op: 'replace', shot: 2, mediaId: parseId('m_new') }], {
      replacements: new Map([
        ['m_new', { kind: 'photo' as const, focus, framing: 'crop' as const, framingReason: 'subject_fits' as const }],
      ]),
    });
    expect(analysed.shots[2]).toEqual({
      ...shot2,
      mediaId: 'm_new',
      focus,
      framing: 'crop',
      framingReason: 'subject_fits',
    });
  });

  it('remove gives the time to the neighbours, cut on the beat, and keeps the length', () => {
    const source = fourShots();
    const edited = applyEdits(source, [{ op: 'remove', shot: 1 }]);
    expect(pictures(edited)).toEqual(['m_photo0', 'm_photo2', 'm_photo3']);
    // Shot 1 filled 3.5–6.5 s; its two cuts become one on the beat nearest 5 s, with the same 0.5 s transition.
    expect(timing(edited)).toEqual([
      [0, 5.5],
      [5, 5],
      [9.5, 2.5],
    ]);
    expect(edited.shots.slice(1).every((shot) => onBeat(shot.startSec))).toBe(true);
    expect(edited.durationSec).toBe(12);
    expect(edited.scenes).toEqual([
      { index: 0, startedAt: null, place: null, shotCount: 1 },
      { index: 1, startedAt: null, place: null, shotCount: 2 },
    ]);
  });

  it('remove of the first or last shot hands its whole time to its one neighbour', () => {
    expect(timing(applyEdits(fourShots(), [{ op: 'remove', shot: 0 }]))).toEqual([
      [0, 7],
      [6.5, 3.5],
      [9.5, 2.5],
    ]);
    expect(timing(applyEdits(fourShots(), [{ op: 'remove', shot: 3 }]))).toEqual([
      [0, 4],
      [3.5, 3.5],
      [6.5, 5.5],
    ]);
  });

  it('remove beside a clip gives the time to the photo on the other side: the clip keeps its moment', () => {
    const clipFirst = withClip(fourShots(), 0, 1);
    expect(timing(applyEdits(clipFirst, [{ op: 'remove', shot: 1 }]))).toEqual([
      [0, 4],
      [3.5, 6.5],
      [9.5, 2.5],
    ]);
    const clipAfter = withClip(fourShots(), 2, 1);
    const edited = applyEdits(clipAfter, [{ op: 'remove', shot: 1 }], { clipSec: new Map([['m_photo2', 5]]) });
    expect(timing(edited)).toEqual([
      [0, 7],
      [6.5, 3.5],
      [9.5, 2.5],
    ]);
    expect(edited.shots[1]!.clipStartSec).toBe(1);
  });

  it('a clip whose shot outgrows what is left of it starts earlier; one shorter than its shot plays from 0', () => {
    const clipSec = new Map([['m_photo2', 4.2]]);
    // Slot 0 lasts 4 s: the clip, 3.5 s from 1 s in, now starts at 0.2 s so as to end with its clip.
    const moved = applyEdits(withClip(fourShots(), 2, 1), [{ op: 'move', shot: 2, to: 0 }], { clipSec });
    expect(moved.shots[0]).toMatchObject({ mediaId: 'm_photo2', kind: 'clip', durationSec: 4, clipStartSec: 0.2 });
    // Given the last shot's time it lasts 5.5 s, longer than the whole clip: it plays from 0 and holds its end.
    const longer = applyEdits(withClip(fourShots(), 2, 1), [{ op: 'remove', shot: 3 }], { clipSec });
    expect(longer.shots[2]).toMatchObject({ kind: 'clip', durationSec: 5.5, clipStartSec: 0 });
    // A clip replacing a photo keeps the slot's timing and plays from its start; its length unknown, it is kept.
    const replaced = applyEdits(fourShots(), [{ op: 'replace', shot: 0, mediaId: parseId('m_clip') }], {
      replacements: new Map([['m_clip', { kind: 'clip' as const }]]),
    });
    expect(replaced.shots[0]).toMatchObject({ kind: 'clip', startSec: 0, durationSec: 4, clipStartSec: 0 });
    const unknown = applyEdits(withClip(fourShots(), 2, 1), [{ op: 'move', shot: 2, to: 0 }]);
    expect(unknown.shots[0]!.clipStartSec).toBe(1);
  });

  it('move takes the picture to another slot; every slot keeps its timing', () => {
    const source = fourShots();
    const edited = applyEdits(source, [{ op: 'move', shot: 0, to: 2 }]);
    expect(pictures(edited)).toEqual(['m_photo1', 'm_photo2', 'm_photo0', 'm_photo3']);
    expect(timing(edited)).toEqual(timing(source));
    expect(edited.shots[2]).toEqual({ ...source.shots[0], startSec: 6.5, durationSec: 3.5 });
  });

  it('narration changes one line, at its time; title and music change only themselves', () => {
    const source = fourShots();
    const edited = applyEdits(source, [
      { op: 'narration', line: 1, text: 'Two, again.' },
      { op: 'title', text: 'Porto and the Douro' },
      { op: 'music', musicStyle: 'piano' },
    ]);
    expect(edited.narration).toEqual({
      enabled: true,
      script: 'One. Two, again.',
      segments: [
        { startSec: 0.6, text: 'One.' },
        { startSec: 6.7, text: 'Two, again.' },
      ],
    });
    expect(edited.title).toEqual({ text: 'Porto and the Douro', subtitle: 'May 2026' });
    expect(edited.musicStyle).toBe('piano');
    expect({ ...edited, narration: source.narration, title: source.title, musicStyle: source.musicStyle }).toEqual(
      source,
    );
  });

  it('names shots by their index in the source, whatever edits came before', () => {
    const edited = applyEdits(fourShots(), [
      { op: 'remove', shot: 0 },
      { op: 'replace', shot: 3, mediaId: parseId('m_new') },
    ]);
    expect(pictures(edited)).toEqual(['m_photo1', 'm_photo2', 'm_new']);
  });

  it.each<[Edit[], number, RegExp]>([
    [[{ op: 'replace', shot: 4, mediaId: parseId('m_new') }], 0, /shot 4 is out of range/],
    [
      [
        { op: 'title', text: 'x' },
        { op: 'remove', shot: 9 },
      ],
      1,
      /out of range/,
    ],
    [
      [
        { op: 'remove', shot: 1 },
        { op: 'move', shot: 1, to: 0 },
      ],
      1,
      /removed by an earlier edit/,
    ],
    [[{ op: 'move', shot: 0, to: 4 }], 0, /slot 4 is out of range/],
    [[{ op: 'narration', line: 2, text: 'x' }], 0, /line 2 is out of range/],
  ])('refuses an edit that cannot apply, naming its index (%#)', (edits, index, message) => {
    const source = fourShots();
    const before = structuredClone(source);
    const error = (() => {
      try {
        applyEdits(source, edits);
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(EditError);
    expect(error).toMatchObject({ status: 422, code: 'edit_invalid', details: { edit: index } });
    expect((error as Error).message).toMatch(message);
    expect(source).toEqual(before);
  });

  it('refuses to remove the last shot left, and narration edits of a silent video', () => {
    const one = oneShotStoryboard();
    expect(() => applyEdits(one, [{ op: 'remove', shot: 0 }])).toThrow(/at least one shot/);
    expect(() => applyEdits(one, [{ op: 'narration', line: 0, text: 'x' }])).toThrow(/no narration/);
  });

  it('is validated with the run body schema: editOf and edits come together, each edit by its op', () => {
    const editOf = 'r_source';
    expect(startRunBodySchema.safeParse({ editOf, edits: [{ op: 'remove', shot: 0 }] }).success).toBe(true);
    for (const body of [
      { editOf },
      { edits: [{ op: 'remove', shot: 0 }] },
      { editOf, edits: [] },
      { editOf, edits: [{ op: 'remove', shot: -1 }] },
      { editOf, edits: [{ op: 'trim', shot: 0 }] },
      { editOf, edits: [{ op: 'remove', shot: 0, to: 1 }] },
      { editOf, edits: [{ op: 'music', musicStyle: '' }] },
      { editOf, edits: [{ op: 'remove', shot: 0 }], storyboardFrom: 'r_other' },
    ])
      expect(startRunBodySchema.safeParse(body).success, JSON.stringify(body)).toBe(false);
  });
});
