import { primaryLanguage, type Language } from '../../../schemas/language.js';
import type { Media } from '../../../schemas/media.js';
import {
  frameSize,
  type CurationSkip,
  type NarrationSegment,
  type Resolution,
  type Shot,
  type StartRunBody,
  type Storyboard,
} from '../../../schemas/run.js';
import { PipelineError } from '../../errors.js';
import { seededRandom } from '../../../random.js';
import type { StyleChoice } from '../../../style/choice.js';
import { narrateScenes, placeScript, scriptOf, speakingSec, type SceneTiming } from './narration.js';
import { distanceKm, lookupPlace, placeLabel, type Place } from './places.js';
import {
  beatGridFor,
  beatTimeline,
  boundedTimeline,
  clipBounds,
  MAX_TRANSITION_SEC,
  MIN_SHOT_SEC,
  PHOTO_BOUNDS,
  type BeatGrid,
  type ShotBounds,
  type Timeline,
} from './timeline.js';
import { mapShot, routeLines, routeStops, wantsMap, withRouteLine, type RouteStop } from './route.js';

import { takenAtMs } from './taken-at.js';
import type { PhotoFacts } from '../../../media/analyse.js';
import { curatePhotos } from './curation.js';
import { chooseFraming } from '../../../render/picture/framing.js';
import { pairPortraits, transitionForMood } from './framing.js';
import { captionFor, titleCard } from './title.js';
import { chaptersOf, placeIn } from './chapters.js';
import { phrasebookFor } from './languages/index.js';
import { pickClipStart, type ClipActivity } from './clip-moment.js';

export type { StyleChoice };

export interface DirectorInput {
  runId: string;
  /** The photos to use, in upload order. */
  media: Media[];
  request: StartRunBody;
  style: StyleChoice;
  /** What each photo's pixels showed (null: unreadable); without it nothing is curated or framed by content. */
  facts?: Map<string, PhotoFacts | null>;
  /**
   * Each clip's loudness over time (null: no sound), by the clip's media id (a Live Photo's by its motion's), to
   * pick its moment; without it a clip shows its middle.
   */
  clips?: Map<string, ClipActivity | null>;
}

const SCENE_GAP_MS = 3 * 3600 * 1000;
const SCENE_DISTANCE_KM = 25;

/** By time taken; photos without a date keep their upload order after the dated ones. */
export function orderPhotos(media: Media[]): Media[] {
  return media
    .map((item, index) => ({ item, index, at: takenAtMs(item.takenAt) }))
    .sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity) || a.index - b.index)
    .map(({ item }) => item);
}

/** A new scene starts after a long gap in time or a long way from the last photo. */
export function groupScenes(ordered: Media[]): number[] {
  const scene: number[] = [];
  let current = 0;
  for (let i = 0; i < ordered.length; i++) {
    if (i > 0) {
      const previous = ordered[i - 1]!;
      const item = ordered[i]!;
      const a = takenAtMs(previous.takenAt);
      const b = takenAtMs(item.takenAt);
      const farInTime = a !== null && b !== null && b - a > SCENE_GAP_MS;
      const farAway = previous.gps && item.gps ? distanceKm(previous.gps, item.gps) > SCENE_DISTANCE_KM : false;
      if (farInTime || farAway) current++;
    }
    scene.push(current);
  }
  return scene;
}

/** Evenly spaced picks when there are more photos than the duration can show. */
function pickEvenly<T>(items: T[], count: number): T[] {
  if (items.length <= count) return items;
  return Array.from({ length: count }, (_, i) => items[Math.round((i * (items.length - 1)) / Math.max(1, count - 1))]!);
}

/** Shot length and cross-fade so that n shots with n-1 overlaps fill exactly `durationSec`. */
export function fitTiming(
  durationSec: number,
  available: number,
): { count: number; shotSec: number; transitionSec: number } {
  let count = Math.max(
    1,
    Math.min(available, Math.floor((durationSec - MAX_TRANSITION_SEC) / (MIN_SHOT_SEC - MAX_TRANSITION_SEC))),
  );
  for (;;) {
    const transitionSec = count === 1 ? 0 : Math.min(MAX_TRANSITION_SEC, durationSec / count / 3);
    const shotSec = (durationSec + (count - 1) * transitionSec) / count;
    if (shotSec >= MIN_SHOT_SEC || count === 1) return { count, shotSec, transitionSec };
    count--;
  }
}

const LANDSCAPE_MOTIONS: Shot['motion'][] = ['zoom-in', 'pan-right', 'zoom-out', 'pan-left'];
const PORTRAIT_MOTIONS: Shot['motion'][] = ['pan-down', 'zoom-in', 'pan-up', 'zoom-out'];

export const defaultDuration = (photoCount: number) => Math.min(60, Math.max(6, Math.round(photoCount * 3.5)));

export interface PlanOverrides {
  /** Photo order from another planner (indices into `media`); the local order otherwise. */
  order?: number[];
  motions?: Shot['motion'][];
  narration?: string;
  /** Narration lines tied to photos (indices into `media`): each is said while its photo shows. */
  lines?: Array<{ photo: number; text: string }>;
  theme?: string;
  provider?: string;
}

/** The language a request asks for, by its primary subtag ("pt-BR" is Portuguese); English by default. */
export const languageOf = (request: StartRunBody): Language =>
  (request.language ? primaryLanguage(request.language) : null) ?? 'en';

/** The local director: a storyboard from the photos' own metadata, deterministic per run id. */
export function planStoryboard(input: DirectorInput, overrides: PlanOverrides = {}): Storyboard {
  const random = seededRandom(input.runId);
  const language = languageOf(input.request);
  const resolution: Resolution = input.request.resolution ?? '720p';
  const durationSec = input.request.durationSec ?? input.style.durationSec ?? defaultDuration(input.media.length);
  const curated = curate(
    input,
    overrides.order ? overrides.order.map((i) => input.media[i]!) : orderPhotos(input.media),
    durationSec,
  );
  const ordered = curated.kept;
  const grid = beatGridFor(input.style.mood);
  const { timeline, chosen, places: foundPlaces, map } = layOut(input, ordered, durationSec, grid);
  const skipped = [...curated.skipped, ...overLimit(ordered, chosen)];
  const scenes = groupScenes(chosen);
  // Names in the video's language: countries translated, towns keep their own.
  const places = foundPlaces.map((place) => (place ? placeIn(place, language) : null));

  let lastMotion: Shot['motion'] | null = null;
  const shots: Shot[] = chosen
    .map((item, i) => {
      const options = item.height > item.width ? PORTRAIT_MOTIONS : LANDSCAPE_MOTIONS;
      let motion = overrides.motions?.[i] ?? options[Math.floor(random() * options.length)]!;
      if (motion === lastMotion && !overrides.motions)
        motion = options[(options.indexOf(motion) + 1) % options.length]!;
      lastMotion = motion;
      const place = places[i];
      return {
        kind: item.kind,
        mediaId: item.mediaId,
        startSec: timeline.startSec[i]!,
        durationSec: timeline.durationSec[i]!,
        motion,
        scene: scenes[i]!,
        caption: null,
        place: place ? placeLabel(place) : null,
        framing: 'crop' as const,
        focus: null,
      };
    })
    .map((shot, i) => pictureShot(input, shot, chosen[i]!, language));

  // The scene before the map ends where the map begins: its line is said over its own photos.
  const sceneTimings = timeScenes(shots, chosen, places, durationSec).map((scene) =>
    map && scene.startSec < map.startSec ? { ...scene, endSec: Math.min(scene.endSec, map.startSec) } : scene,
  );
  const sceneSummaries = sceneTimings.map((scene) => ({
    index: scene.index,
    startedAt: scene.startedAt,
    place: scene.place ? placeLabel(scene.place) : null,
    shotCount: scene.shotCount,
  }));
  const theme =
    overrides.theme ??
    input.request.theme ??
    sceneSummaries.find((s) => s.place)?.place ??
    phrasebookFor(language).untitled;
  const narration = planNarration(input, overrides, {
    theme,
    shots,
    chosen,
    sceneTimings,
    durationSec,
    map,
    language,
  });
  const allShots = map
    ? [
        ...shots.slice(0, map.slot),
        mapShot(map.stops, { startSec: map.startSec, durationSec: map.durationSec, scene: shots[map.slot]!.scene }),
        ...shots.slice(map.slot),
      ]
    : shots;
  const chapters = chaptersOf({
    shots,
    takenAts: chosen.map((item) => item.takenAt),
    places,
    language,
    fallback: theme,
  }).map((chapter) =>
    // The map introduces the place after it: that place's chapter starts with the map.
    map && chapter.startSec === shots[map.slot]!.startSec ? { ...chapter, startSec: map.startSec } : chapter,
  );

  // Two portraits of one moment share a landscape frame; each scene then counts the shots it has.
  const frame = frameSize(resolution, input.request.aspect ?? '16:9');
  const finalShots = pairPortraits(
    allShots,
    new Map(chosen.map((item) => [item.mediaId, item])),
    frame,
    new Set(chapters.map((chapter) => chapter.startSec)),
  );
  const sceneList =
    finalShots.length === allShots.length
      ? sceneSummaries
      : sceneSummaries.map((scene) => ({
          ...scene,
          shotCount: finalShots.filter((shot) => shot.kind !== 'map' && shot.scene === scene.index).length,
        }));

  return {
    theme,
    mood: input.style.mood,
    musicStyle: input.style.musicStyle,
    durationSec,
    resolution,
    ...pictureFields(input, { shots, chosen, theme, skipped, language }),
    shots: finalShots,
    language,
    chapters,
    scenes: sceneList,
    narration,
    tempoBpm: grid.bpm,
    music: grid,
    choice: { source: input.style.source, reason: input.style.reason },
    provider: overrides.provider ?? 'local',
  };
}

/** Where the map shot goes, the time it takes, and the route it draws. */
interface MapSlot {
  /** The map shows before this photo (the first of the trip's second place). */
  slot: number;
  startSec: number;
  durationSec: number;
  stops: RouteStop[];
}

/**
 * The photos shown and their times on the beat timeline. With a map, the
 * timeline has one slot more and the map takes the slot before the first
 * photo of the trip's second place, so it cuts on the beat like any shot.
 */
function layOut(
  input: DirectorInput,
  ordered: Media[],
  durationSec: number,
  grid: BeatGrid,
): { timeline: Timeline; chosen: Media[]; places: Array<Place | null>; map: MapSlot | null } {
  const placesOf = (items: Media[]) => items.map((item) => (item.gps ? lookupPlace(item.gps) : null));
  const plain = () => {
    const { timeline, chosen } = fitShots(ordered, { durationSec, grid }) ?? {
      timeline: beatTimeline(durationSec, 1, grid),
      chosen: pickEvenly(ordered, 1),
    };
    return { timeline, chosen, places: placesOf(chosen), map: null };
  };
  if (input.request.map === false) return plain();
  let stops: RouteStop[] = [];
  const fitted = fitShots(ordered, {
    durationSec,
    grid,
    mapSlot: (chosen) => {
      stops = routeStops(chosen, placesOf(chosen));
      return wantsMap(input.request, stops) ? stops[1]!.firstPhoto : null;
    },
  });
  if (fitted?.slot === undefined) return plain();
  const { timeline, chosen, slot } = fitted;
  const without = <T>(values: T[]) => values.filter((_, i) => i !== slot);
  return {
    timeline: { startSec: without(timeline.startSec), durationSec: without(timeline.durationSec) },
    chosen,
    places: placesOf(chosen),
    map: { slot, startSec: timeline.startSec[slot]!, durationSec: timeline.durationSec[slot]!, stops },
  };
}

/** What a shot of this item plays when it is a clip, or a Live Photo's motion; null for a still photo. */
const motionOf = (item: Media): { mediaId: Media['mediaId']; durationSec: number } | null =>
  item.kind === 'clip' ? { mediaId: item.mediaId, durationSec: item.durationSec ?? 0 } : (item.liveClip ?? null);

/**
 * How long each item's shot may be, strictest first: a clip's 2–6 s moment; then its whole length (when photos
 * are too few to fill the rest of the video); then as long as the video needs, its last frame held.
 */
const LIMITS: Array<(clipSec: number) => ShotBounds> = [
  clipBounds,
  (clipSec) => ({ ...clipBounds(clipSec), maxSec: clipSec }),
  (clipSec) => ({ ...clipBounds(clipSec), maxSec: Infinity }),
];

/**
 * The most of `items` (picked evenly) whose shots fit the video on the beat within their bounds, and their
 * timeline; null when none do. With `mapSlot`, the timeline has one slot more, where it says for the items
 * picked, and null is also the answer when it wants no map for them.
 */
function fitShots(
  items: Media[],
  options: { durationSec: number; grid: BeatGrid; mapSlot?: (chosen: Media[]) => number | null },
): { timeline: Timeline; chosen: Media[]; slot?: number } | null {
  const { durationSec, grid, mapSlot } = options;
  const extra = mapSlot ? 1 : 0;
  const most = fitTiming(durationSec, items.length + extra).count - extra;
  for (const limit of LIMITS) {
    for (let count = Math.min(items.length, most); count >= 1; count--) {
      const chosen = pickEvenly(items, count);
      const slot = mapSlot?.(chosen);
      if (slot === null) return null;
      const bounds = chosen.map((item) => {
        const motion = motionOf(item);
        return motion ? limit(motion.durationSec) : PHOTO_BOUNDS;
      });
      if (slot !== undefined) bounds.splice(slot, 0, PHOTO_BOUNDS);
      const timeline = boundedTimeline(durationSec, bounds, grid);
      if (timeline) return { timeline, chosen, ...(slot === undefined ? {} : { slot }) };
    }
  }
  return null;
}

/** Scenes with the place a viewer would name them by. */
const REGION_TOWNS = 3;

/**
 * Each scene's time on screen and place. A scene whose photos fall in three
 * or more towns (a road through villages) is named by its country instead.
 */
export function timeScenes(
  shots: Shot[],
  chosen: Media[],
  places: Array<Place | null>,
  durationSec: number,
): SceneTiming[] {
  const indices = [...new Set(shots.map((shot) => shot.scene))];
  return indices.map((index, k) => {
    const members = shots.flatMap((shot, i) => (shot.scene === index ? [i] : []));
    const located = members.map((i) => places[i]).filter((p): p is Place => p !== null && p !== undefined);
    const towns = new Set(located.filter((p) => p.town).map((p) => p.town));
    const first = located.find((p) => p.town) ?? located[0] ?? null;
    const place = first && towns.size >= REGION_TOWNS ? { ...first, town: '' } : first;
    const next = indices[k + 1];
    const nextStart = next === undefined ? durationSec : shots.find((shot) => shot.scene === next)!.startSec;
    return {
      index,
      startSec: shots[members[0]!]!.startSec,
      endSec: nextStart,
      startedAt: members.map((i) => chosen[i]!.takenAt).find((t) => t) ?? null,
      place,
      shotCount: members.length,
    };
  });
}

/**
 * The narration: none when switched off; a written script said sentence by
 * sentence; lines a model tied to photos, each kept only if it fits its
 * photo's time (else the local line for that scene); or the local lines.
 */
function planNarration(
  input: DirectorInput,
  overrides: PlanOverrides,
  plan: {
    theme: string;
    shots: Shot[];
    chosen: Media[];
    sceneTimings: SceneTiming[];
    durationSec: number;
    map: MapSlot | null;
    language: Language;
  },
): Storyboard['narration'] {
  if (input.request.narration === false) return { enabled: false, script: '', segments: [] };
  const cuts = plan.shots.map((shot) => shot.startSec);
  const written =
    typeof input.request.narration === 'string'
      ? input.request.narration
      : overrides.lines
        ? null
        : (overrides.narration ?? null);
  const local = narrateScenes({
    theme: plan.theme,
    hasExplicitTheme: Boolean(input.request.theme),
    scenes: plan.sceneTimings,
    durationSec: plan.durationSec,
    seed: input.runId,
    language: plan.language,
  });
  const planned =
    written !== null
      ? placeScript(written, cuts, plan.durationSec)
      : overrides.lines
        ? placeModelLines(overrides.lines, input, plan, local)
        : local;
  // A script someone wrote is said as written; otherwise the map's route is named while it shows.
  const segments =
    plan.map && written === null
      ? withRouteLine(planned, plan.map, routeLines(plan.map.stops, phrasebookFor(plan.language).route))
      : planned;
  return { enabled: segments.length > 0, script: scriptOf(segments), segments };
}

/** A model's lines at their photos' times; where one is missing or too long, the local line for that scene stands in. */
function placeModelLines(
  lines: NonNullable<PlanOverrides['lines']>,
  input: DirectorInput,
  plan: { shots: Shot[]; chosen: Media[]; sceneTimings: SceneTiming[]; durationSec: number },
  local: NarrationSegment[],
): NarrationSegment[] {
  const byScene = new Map<number, { startSec: number; text: string }>();
  for (const line of lines) {
    const shotIndex = plan.chosen.indexOf(input.media[line.photo]!);
    if (shotIndex < 0) continue;
    const shot = plan.shots[shotIndex]!;
    const scene = plan.sceneTimings.find((s) => s.index === shot.scene)!;
    if (byScene.has(scene.index)) continue;
    byScene.set(scene.index, {
      startSec: Math.round((shot.startSec + (shotIndex === 0 ? 0.6 : 0.35)) * 100) / 100,
      text: line.text,
    });
  }
  const out: NarrationSegment[] = [];
  let freeFrom = 0;
  for (const scene of plan.sceneTimings) {
    const fromModel = byScene.get(scene.index);
    const fallback = local.find((segment) => segment.startSec >= scene.startSec && segment.startSec < scene.endSec);
    for (const candidate of [fromModel, fallback]) {
      if (!candidate || candidate.startSec < freeFrom) continue;
      if (candidate.startSec + speakingSec(candidate.text) > Math.min(scene.endSec, plan.durationSec) - 0.25) continue;
      out.push(candidate);
      freeFrom = candidate.startSec + speakingSec(candidate.text) + 0.25;
      break;
    }
  }
  return out;
}

/** Fewest photos curation leaves: at least two, and one for every 6 s of video (unless there are fewer). */
export const curationMinimum = (readable: number, durationSec: number) =>
  Math.min(readable, Math.max(2, Math.ceil(durationSec / 6)));

/**
 * Curation by the photos' pixels when they were analysed; otherwise every photo stays. Clips are never
 * curated by photo rules (motion blur is not a blurry photo, and two clips of a moment are not duplicates).
 */
function curate(
  input: DirectorInput,
  ordered: Media[],
  durationSec: number,
): { kept: Media[]; skipped: CurationSkip[] } {
  if (!input.facts) return { kept: ordered, skipped: [] };
  const clips = ordered.filter((item) => item.kind === 'clip');
  const photos = ordered.filter((item) => item.kind !== 'clip');
  const readable = photos.filter((item) => input.facts!.get(item.mediaId)).length;
  if (photos.length === 0) return { kept: ordered, skipped: [] };
  if (readable === 0 && clips.length === 0)
    throw new PipelineError({
      errorClass: 'input',
      code: 'no_readable_media',
      message: "None of the run's photos could be decoded; upload JPEG, PNG, WebP, AVIF or HEIC photos.",
      retryable: false,
      severity: 'medium',
    });
  const minimum = Math.max(0, curationMinimum(readable + clips.length, durationSec) - clips.length);
  const curated = curatePhotos(photos, input.facts, minimum);
  const kept = new Set(curated.kept.map((item) => item.mediaId));
  return {
    kept: ordered.filter((item) => item.kind === 'clip' || kept.has(item.mediaId)),
    skipped: curated.skipped,
  };
}

/**
 * More good photos than the duration can show: the shown ones are spread
 * evenly over time (so the video covers the whole story) and the rest are
 * recorded as over the limit.
 */
function overLimit(ordered: Media[], chosen: Media[]): CurationSkip[] {
  const shown = new Set(chosen.map((item) => item.mediaId));
  return ordered
    .filter((item) => !shown.has(item.mediaId))
    .map((item) => ({ mediaId: item.mediaId, reason: 'over_limit' as const }));
}

/** A shot's caption, framing and salient region (its place comes from the gazetteer above); a clip's moment. */
function pictureShot(input: DirectorInput, shot: Shot, item: Media, language: Language): Shot {
  const frame = frameSize(input.request.resolution ?? '720p', input.request.aspect ?? '16:9');
  const caption = input.request.captions ? captionFor(shot.place ?? null, item.takenAt, language) : null;
  // A clip, or a Live Photo: its motion plays, the photo's time and place name it.
  const motion = motionOf(item);
  if (motion) {
    const loudness = input.clips?.get(motion.mediaId) ?? null;
    return {
      ...shot,
      kind: 'clip',
      mediaId: motion.mediaId,
      caption,
      framing: 'crop',
      clipStartSec: pickClipStart(motion.durationSec, shot.durationSec, loudness),
    };
  }
  const focus = input.facts?.get(item.mediaId)?.focus ?? null;
  return {
    ...shot,
    caption: input.request.captions ? captionFor(shot.place ?? null, item.takenAt, language) : null,
    ...chooseFraming(item, frame, focus),
    focus,
  };
}

/** The storyboard's frame, transition, title and curation record. */
function pictureFields(
  input: DirectorInput,
  {
    shots,
    chosen,
    theme,
    skipped,
    language,
  }: { shots: Shot[]; chosen: Media[]; theme: string; skipped: CurationSkip[]; language: Language },
) {
  const aspect = input.request.aspect ?? '16:9';
  const frame = frameSize(input.request.resolution ?? '720p', aspect);
  return {
    aspect,
    width: frame.width,
    height: frame.height,
    transition: transitionForMood(input.style.mood),
    title: titleCard(
      input.request,
      theme,
      chosen,
      shots.map((shot) => shot.place ?? null),
      language,
    ),
    curation: { skipped },
  };
}
