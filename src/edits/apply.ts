import type { Edit } from '../schemas/edit.js';
import type { MusicGrid, Shot, Storyboard } from '../schemas/run.js';
import { EditError } from './errors.js';

/** The shots being edited, each with the index it had in the source (edits name shots by that). */
interface Slots {
  shots: Shot[];
  origins: number[];
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/** What a shot shows, without where it sits in time. */
const contentOf = ({ startSec: _start, durationSec: _duration, ...content }: Shot) => content;

/** What a replacing media is and how its shot shows it (from its analysis: its subject, crop or fill). */
export interface Replacement {
  kind: 'photo' | 'clip';
  focus?: Shot['focus'];
  framing?: Exclude<Shot['framing'], 'pair'>;
  framingReason?: Shot['framingReason'];
}

/** What the edits know of the media they place and move. */
export interface EditMedia {
  /** Each replacing media: a clip plays from its start; a photo framed as given (else whole, centred). */
  replacements?: ReadonlyMap<string, Replacement>;
  /** Each clip's length, by the media id its shots play: a clip shot is kept within its clip where it can be. */
  clipSec?: ReadonlyMap<string, number>;
}

/**
 * The source's storyboard with `edits` applied in order. Pure: the same input
 * always gives the same storyboard. Every index names the source's shot or
 * line, whatever edits came before; an edit that cannot apply throws an
 * EditError naming its index.
 */
export function applyEdits(storyboard: Storyboard, edits: Edit[], media: EditMedia = {}): Storyboard {
  const slots: Slots = {
    shots: storyboard.shots.map((shot) => ({ ...shot })),
    origins: storyboard.shots.map((_, i) => i),
  };
  const kinds = media.replacements ?? new Map<string, Replacement>();
  let result: Storyboard = storyboard;
  edits.forEach((edit, index) => {
    result = applyOne({ storyboard: result, slots, edit, index, kinds });
  });
  const shots = slots.shots.map((shot) => withinClip(shot, media.clipSec));
  return withChapters(withShots(result, shots), storyboard, slots);
}

/**
 * A clip shot that now lasts longer than its clip has left after its start (moved to a longer slot, or given a
 * removed neighbour's time) starts earlier, as far as its clip allows; a clip shorter than its shot plays from
 * its start and holds its last frame.
 */
function withinClip(shot: Shot, clipSec: ReadonlyMap<string, number> | undefined): Shot {
  const length = shot.kind === 'clip' && shot.mediaId ? clipSec?.get(shot.mediaId) : undefined;
  const start = shot.clipStartSec ?? 0;
  if (length === undefined || start + shot.durationSec <= length + 1e-9) return shot;
  return { ...shot, clipStartSec: Math.max(0, Math.floor((length - shot.durationSec) * 1000 + 1e-6) / 1000) };
}

/**
 * Chapters follow the shots they start at: each moves with its shot, one whose shot was removed goes, and the
 * first still starts at 0 (with the title card).
 */
function withChapters(edited: Storyboard, source: Storyboard, slots: Slots): Storyboard {
  const near = (a: number, b: number) => Math.abs(a - b) < 1e-6;
  const chapters = source.chapters.flatMap((chapter) => {
    const origin = source.shots.findIndex((shot) => near(shot.startSec, chapter.startSec));
    const position = slots.origins.indexOf(origin);
    return origin < 0 || position < 0 ? [] : [{ ...chapter, startSec: slots.shots[position]!.startSec }];
  });
  chapters.sort((a, b) => a.startSec - b.startSec);
  const kept = chapters.filter((chapter, i) => i === 0 || !near(chapter.startSec, chapters[i - 1]!.startSec));
  // The earliest chapter covers the video from its start.
  if (kept[0]) kept[0] = { ...kept[0], startSec: 0 };
  else if (source.chapters[0]) kept.push({ ...source.chapters[0], startSec: 0 });
  return { ...edited, chapters: kept };
}

function applyOne(options: {
  storyboard: Storyboard;
  slots: Slots;
  edit: Edit;
  index: number;
  kinds: ReadonlyMap<string, Replacement>;
}): Storyboard {
  const { storyboard, slots, edit, index, kinds } = options;
  const fail = (message: string) => new EditError(index, edit, message);
  const at = (shot: number) => {
    if (shot >= storyboard.shots.length)
      throw fail(`shot ${shot} is out of range (the video has ${storyboard.shots.length} shots)`);
    const position = slots.origins.indexOf(shot);
    if (position < 0) throw fail(`shot ${shot} was removed by an earlier edit`);
    return position;
  };
  switch (edit.op) {
    case 'replace': {
      const position = at(edit.shot);
      // A map shot replaced by a photo or clip loses its map; a clip plays from its start; a portrait pair
      // becomes the one new photo. The new photo is framed from its own analysis where the request knew it;
      // else it is shown whole, its motion centred.
      const {
        map: _map,
        clipStartSec: _clipStart,
        pair: _pair,
        framingReason: _reason,
        ...shot
      } = slots.shots[position]!;
      const replacement = kinds.get(edit.mediaId) ?? { kind: 'photo' as const };
      slots.shots[position] = {
        ...shot,
        kind: replacement.kind,
        mediaId: edit.mediaId,
        focus: replacement.focus ?? null,
        framing: replacement.framing ?? 'fill',
        ...(replacement.framingReason ? { framingReason: replacement.framingReason } : {}),
        ...(replacement.kind === 'clip' ? { clipStartSec: 0 } : {}),
      };
      return storyboard;
    }
    case 'remove': {
      const position = at(edit.shot);
      if (slots.shots.length < 2) throw fail('a video keeps at least one shot');
      removeShot(slots, position, { durationSec: storyboard.durationSec, grid: storyboard.music ?? null });
      return storyboard;
    }
    case 'move': {
      const position = at(edit.shot);
      if (edit.to >= slots.shots.length)
        throw fail(`slot ${edit.to} is out of range (the video has ${slots.shots.length} shots)`);
      moveShot(slots, position, edit.to);
      return storyboard;
    }
    case 'narration':
      return withLine(storyboard, edit.line, edit.text, fail);
    case 'title':
      return { ...storyboard, title: { text: edit.text, subtitle: storyboard.title?.subtitle ?? null } };
    case 'music':
      return { ...storyboard, musicStyle: edit.musicStyle };
  }
}

/**
 * The picture of `from` goes to slot `to`; the shots between shift by one.
 * Slots keep their timing, so every cut stays where it was, on the beat.
 */
function moveShot(slots: Slots, from: number, to: number): void {
  const timings = slots.shots.map(({ startSec, durationSec }) => ({ startSec, durationSec }));
  const [content] = slots.shots.splice(from, 1);
  const [origin] = slots.origins.splice(from, 1);
  slots.shots.splice(to, 0, content!);
  slots.origins.splice(to, 0, origin!);
  slots.shots = slots.shots.map((shot, i) => ({ ...contentOf(shot), ...timings[i]! }));
}

/**
 * Takes a shot out; the shots either side share its time. Its two cuts become
 * one, on the beat nearest the middle of its slot (or at a clip's edge, see
 * mergedCut), so the video keeps its length, every cut stays on the beat, and
 * the transitions keep their length.
 */
function removeShot(slots: Slots, position: number, timeline: { durationSec: number; grid: MusicGrid | null }): void {
  const { shots } = slots;
  const removed = shots[position]!;
  const previous = shots[position - 1];
  const next = shots[position + 1];
  if (!previous) {
    shots[1] = { ...next!, startSec: 0, durationSec: round3(next!.startSec + next!.durationSec) };
  } else if (!next) {
    shots[position - 1] = { ...previous, durationSec: round3(timeline.durationSec - previous.startSec) };
  } else {
    const transition = previous.startSec + previous.durationSec - removed.startSec;
    const cut = mergedCut(previous, removed, next, timeline.grid);
    const nextEnd = next.startSec + next.durationSec;
    shots[position - 1] = { ...previous, durationSec: round3(cut + transition - previous.startSec) };
    shots[position + 1] = { ...next, startSec: cut, durationSec: round3(nextEnd - cut) };
  }
  shots.splice(position, 1);
  slots.origins.splice(position, 1);
}

/**
 * Where the cut between a removed shot's neighbours goes: beside a clip and a photo (or the map), at the clip's
 * own cut, so the clip keeps its moment and the other takes the time; else on the beat nearest the middle.
 */
function mergedCut(previous: Shot, removed: Shot, next: Shot, grid: MusicGrid | null): number {
  const [before, after] = [previous.kind === 'clip', next.kind === 'clip'];
  if (before && !after) return removed.startSec;
  if (after && !before) return next.startSec;
  return cutBetween(removed.startSec, next.startSec, grid);
}

/** The beat nearest the middle of [from, to] (both are on the beat), or the middle itself without a beat grid. */
export function cutBetween(from: number, to: number, grid: MusicGrid | null): number {
  const middle = (from + to) / 2;
  if (!grid) return round3(middle);
  const beat = 60 / grid.bpm;
  const onBeat = grid.beatOffsetSec + Math.round((middle - grid.beatOffsetSec) / beat) * beat;
  return round3(Math.min(to, Math.max(from, onBeat)));
}

function withLine(
  storyboard: Storyboard,
  line: number,
  text: string,
  fail: (message: string) => EditError,
): Storyboard {
  const segments = storyboard.narration.segments;
  if (!storyboard.narration.enabled || !segments) throw fail('the video has no narration lines');
  if (line >= segments.length) throw fail(`line ${line} is out of range (the narration has ${segments.length} lines)`);
  const changed = segments.map((segment, i) => (i === line ? { ...segment, text } : segment));
  return {
    ...storyboard,
    narration: { ...storyboard.narration, segments: changed, script: changed.map((segment) => segment.text).join(' ') },
  };
}

/** The storyboard with its edited shots, and each scene's shot count as they now stand (a scene left empty goes). */
function withShots(storyboard: Storyboard, shots: Shot[]): Storyboard {
  const scenes = storyboard.scenes
    .map((scene) => ({ ...scene, shotCount: shots.filter((shot) => shot.scene === scene.index).length }))
    .filter((scene) => scene.shotCount > 0);
  return { ...storyboard, shots, scenes };
}
