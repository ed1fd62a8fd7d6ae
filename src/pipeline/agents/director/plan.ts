import type { Media } from '../../../schemas/media.js';
import { frameSize, type CurationSkip, type Resolution, type Shot, type StartRunBody, type Storyboard } from '../../../schemas/run.js';
import { PipelineError } from '../../errors.js';
import { seededRandom } from '../../../random.js';
import { moodInfo } from '../../../style/styles.js';
import type { StyleChoice } from '../../../style/choice.js';
import { distanceKm, nearestPlace } from './places.js';
import { writeNarration } from './narration.js';
import { takenAtMs } from './taken-at.js';

export { takenAtMs } from './taken-at.js';
import type { PhotoFacts } from './analyse.js';
import { curatePhotos } from './curation.js';
import { chooseFraming, transitionForMood } from './framing.js';
import { captionFor, titleCard } from './title.js';

export type { StyleChoice };

export interface DirectorInput {
  runId: string;
  /** The photos to use, in upload order. */
  media: Media[];
  request: StartRunBody;
  style: StyleChoice;
  /** What each photo's pixels showed (null: unreadable); without it nothing is curated or framed by content. */
  facts?: Map<string, PhotoFacts | null>;
}

export const MIN_SHOT_SEC = 1.5;
export const MAX_TRANSITION_SEC = 0.6;
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
export function fitTiming(durationSec: number, available: number): { count: number; shotSec: number; transitionSec: number } {
  let count = Math.max(1, Math.min(available, Math.floor((durationSec - MAX_TRANSITION_SEC) / (MIN_SHOT_SEC - MAX_TRANSITION_SEC))));
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
  theme?: string;
  provider?: string;
}

/** The local director: a storyboard from the photos' own metadata, deterministic per run id. */
export function planStoryboard(input: DirectorInput, overrides: PlanOverrides = {}): Storyboard {
  const random = seededRandom(input.runId);
  const resolution: Resolution = input.request.resolution ?? '720p';
  const durationSec = input.request.durationSec ?? input.style.durationSec ?? defaultDuration(input.media.length);
  const curated = curate(input, overrides.order ? overrides.order.map((i) => input.media[i]!) : orderPhotos(input.media), durationSec);
  const ordered = curated.kept;
  const { count, shotSec, transitionSec } = fitTiming(durationSec, ordered.length);
  const chosen = pickEvenly(ordered, count);
  const skipped = [...curated.skipped, ...overLimit(ordered, chosen)];
  const scenes = groupScenes(chosen);

  let lastMotion: Shot['motion'] | null = null;
  const shots: Shot[] = chosen.map((item, i) => {
    const options = item.height > item.width ? PORTRAIT_MOTIONS : LANDSCAPE_MOTIONS;
    let motion = overrides.motions?.[i] ?? options[Math.floor(random() * options.length)]!;
    if (motion === lastMotion && !overrides.motions) motion = options[(options.indexOf(motion) + 1) % options.length]!;
    lastMotion = motion;
    return { mediaId: item.mediaId, startSec: round3(i * (shotSec - transitionSec)), durationSec: round3(shotSec), motion, scene: scenes[i]!, caption: null, place: null, framing: 'crop' as const, focus: null };
  }).map((shot, i) => pictureShot(input, shot, chosen[i]!));

  const sceneSummaries = [...new Set(scenes)].map((index) => {
    const members = chosen.filter((_, i) => scenes[i] === index);
    const located = members.find((m) => m.gps);
    return {
      index,
      startedAt: members.find((m) => m.takenAt)?.takenAt ?? null,
      place: located?.gps ? nearestPlace(located.gps) : null,
      shotCount: members.length,
    };
  });

  const theme = overrides.theme ?? input.request.theme ?? sceneSummaries.find((s) => s.place)?.place ?? 'Our story';
  const narrationEnabled = input.request.narration !== false;
  const script = !narrationEnabled
    ? ''
    : typeof input.request.narration === 'string'
      ? input.request.narration
      : (overrides.narration ?? writeNarration({ theme, scenes: sceneSummaries, durationSec, hasExplicitTheme: Boolean(input.request.theme) }));

  return {
    theme,
    mood: input.style.mood,
    musicStyle: input.style.musicStyle,
    durationSec,
    resolution,
    ...pictureFields(input, shots, chosen, theme, skipped),
    transitionSec: round3(transitionSec),
    shots,
    scenes: sceneSummaries,
    narration: { enabled: narrationEnabled && script.length > 0, script },
    tempoBpm: moodInfo(input.style.mood).bpm,
    choice: { source: input.style.source, reason: input.style.reason },
    provider: overrides.provider ?? 'local',
  };
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/** Fewest photos curation leaves: at least two, and one for every 6 s of video (unless there are fewer). */
export const curationMinimum = (readable: number, durationSec: number) => Math.min(readable, Math.max(2, Math.ceil(durationSec / 6)));

/** Curation by the photos' pixels when they were analysed; otherwise every photo stays. */
function curate(input: DirectorInput, ordered: Media[], durationSec: number): { kept: Media[]; skipped: CurationSkip[] } {
  if (!input.facts) return { kept: ordered, skipped: [] };
  const readable = ordered.filter((item) => input.facts!.get(item.mediaId)).length;
  if (readable === 0) throw new PipelineError('input', 'no_readable_media', 'None of the run\'s photos could be decoded; upload JPEG, PNG, WebP, AVIF or HEIC photos.', { retryable: false, severity: 'medium' });
  return curatePhotos(ordered, input.facts, curationMinimum(readable, durationSec));
}

/**
 * More good photos than the duration can show: the shown ones are spread
 * evenly over time (so the video covers the whole story) and the rest are
 * recorded as over the limit.
 */
function overLimit(ordered: Media[], chosen: Media[]): CurationSkip[] {
  const shown = new Set(chosen.map((item) => item.mediaId));
  return ordered.filter((item) => !shown.has(item.mediaId)).map((item) => ({ mediaId: item.mediaId, reason: 'over_limit' as const }));
}

/** A shot's place, caption, framing and salient region. */
function pictureShot(input: DirectorInput, shot: Shot, item: Media): Shot {
  const frame = frameSize(input.request.resolution ?? '720p', input.request.aspect ?? '16:9');
  const place = item.gps ? nearestPlace(item.gps) : null;
  return {
    ...shot,
    place,
    caption: input.request.captions ? captionFor(place, item.takenAt) : null,
    framing: chooseFraming(item, frame),
    focus: input.facts?.get(item.mediaId)?.focus ?? null,
  };
}

/** The storyboard's frame, transition, title and curation record. */
function pictureFields(input: DirectorInput, shots: Shot[], chosen: Media[], theme: string, skipped: CurationSkip[]) {
  const aspect = input.request.aspect ?? '16:9';
  const frame = frameSize(input.request.resolution ?? '720p', aspect);
  return {
    aspect,
    width: frame.width,
    height: frame.height,
    transition: transitionForMood(input.style.mood),
    title: titleCard(input.request, theme, chosen, shots.map((shot) => shot.place)),
    curation: { skipped },
  };
}
