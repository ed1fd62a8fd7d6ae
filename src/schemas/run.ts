import { z } from 'zod';
import { idSchema, isoDate, label, plainText, type Id } from './common.js';
import { editsSchema, reusedSchema } from './edit.js';
import { errorClassSchema, severitySchema } from './error.js';
import { languageSchema, languageTagSchema } from './language.js';
import { photoRegionSchema } from './media.js';

export const AGENTS = ['director', 'voice', 'music', 'compose'] as const;
export const agentSchema = z.enum(AGENTS);
export type Agent = z.infer<typeof agentSchema>;

export const RESOLUTIONS = {
  '360p': { width: 640, height: 360 },
  '720p': { width: 1280, height: 720 },
  '1080p': { width: 1920, height: 1080 },
} as const;
export const resolutionSchema = z.enum(['360p', '720p', '1080p']);
export type Resolution = z.infer<typeof resolutionSchema>;

export const ASPECTS = ['16:9', '9:16', '1:1', '4:5'] as const;
export const aspectSchema = z.enum(ASPECTS);
export type Aspect = z.infer<typeof aspectSchema>;

/** Preview frame rate and size: a draft is drawn at 15 fps and at most 360p. */
export const PREVIEW_FPS = 15;

/**
 * A storyboard as a draft: the same shots, timing, text and sound, drawn at
 * 360p (or less) and 15 fps. `resolution` still names the final's quality.
 */
export function asPreview(storyboard: Storyboard): Storyboard {
  const draft = frameSize('360p', storyboard.aspect);
  const smaller = draft.width * draft.height < storyboard.width * storyboard.height;
  return { ...storyboard, ...(smaller ? draft : {}), fps: PREVIEW_FPS };
}

/**
 * Sample rate of a run's voice track and soundtrack: a draft's is mixed at half
 * the rate, which halves the cost of its mix, AAC and loudness check. Its music
 * is made at the full rate, so a run made from the draft has the same track.
 */
export const AUDIO_RATE = 44100;
export const PREVIEW_AUDIO_RATE = 22050;

/** Whether a storyboard is a preview's draft (asPreview draws it at PREVIEW_FPS). */
export function isDraft(storyboard: Pick<Storyboard, 'fps'>): boolean {
  return storyboard.fps === PREVIEW_FPS;
}

/** The rate a storyboard's voice and soundtrack are made at. */
export function audioRateOf(storyboard: Pick<Storyboard, 'fps'>): number {
  return isDraft(storyboard) ? PREVIEW_AUDIO_RATE : AUDIO_RATE;
}

/** A storyboard at the quality it names: the frame of its resolution and aspect, 30 fps (undoing asPreview). */
export function atFullQuality(storyboard: Storyboard): Storyboard {
  const { fps: _fps, ...rest } = storyboard;
  return { ...rest, ...frameSize(storyboard.resolution, storyboard.aspect) };
}

/** The frame rendered: `resolution` names the short side (720p is 1280×720 at 16:9, 720×1280 at 9:16, 720×900 at 4:5). */
export function frameSize(resolution: Resolution, aspect: Aspect): { width: number; height: number } {
  const short = RESOLUTIONS[resolution].height;
  const [w, h] = aspect.split(':').map(Number) as [number, number];
  const even = (value: number) => Math.round(value / 2) * 2;
  return w >= h ? { width: even((short * w) / h), height: short } : { width: short, height: even((short * h) / w) };
}

export const TRANSITIONS = ['crossfade', 'slide', 'wipe', 'zoom'] as const;
export const transitionSchema = z.enum(TRANSITIONS);
export type Transition = z.infer<typeof transitionSchema>;

export const startRunBodySchema = z
  .strictObject({
    mediaIds: z.array(idSchema).min(1).max(500).optional(),
    theme: plainText(200).optional(),
    mood: label.optional(),
    musicStyle: label.optional(),
    durationSec: z.number().min(4).max(180).optional(),
    resolution: resolutionSchema.optional(),
    narration: z.union([z.boolean(), plainText(2000)]).optional(),
    /** POSTed a signed event when the run ends (Standard Webhooks); refused if it reaches a non-public address (see webhooks/url-policy.ts). */
    webhookUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional(),
    aspect: aspectSchema.optional(),
    title: z.union([z.boolean(), plainText(120)]).optional(),
    captions: z.boolean().optional(),
    /** A fast draft: the same storyboard drawn at most 360p and 15 fps. */
    preview: z.boolean().optional(),
    /** Render the storyboard an earlier run of this project made, unchanged, at its full quality. */
    storyboardFrom: idSchema.optional(),
    /** A complete run of this project whose video `edits` change; only what changed is rendered. */
    editOf: idSchema.optional(),
    edits: editsSchema.optional(),
    /** Stop after director, voice and music: the run completes with its storyboard and audio, and no video. */
    planOnly: z.boolean().optional(),
    map: z
      .boolean()
      .optional()
      .describe(
        "A map shot drawing the route between the trip's places, from map data bundled with the service (no location leaves the server). Default: true when the photos were taken in two or more places; false leaves it out.",
      ),
    /** The narration's words and voice, and the title's, dates' and chapters' language. */
    language: languageTagSchema.optional(),
  })
  .refine((body) => (body.editOf === undefined) === (body.edits === undefined), {
    message: 'editOf and edits come together',
    path: ['edits'],
  })
  .refine((body) => !body.editOf || (!body.storyboardFrom && !body.mediaIds), {
    message: 'an edit takes its storyboard and photos from editOf: no storyboardFrom or mediaIds',
    path: ['editOf'],
  });
export type StartRunBody = z.infer<typeof startRunBodySchema>;

export const runErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
  errorClass: errorClassSchema.optional(),
  severity: severitySchema.optional(),
  step: agentSchema.nullable().optional(),
  similarFailures: z
    .array(z.object({ runId: idSchema, similarity: z.number(), message: z.string(), at: isoDate }))
    .optional(),
});
export type RunError = z.infer<typeof runErrorSchema>;

/** How a shot moves over its photo. */
export const MOTIONS = ['zoom-in', 'zoom-out', 'pan-left', 'pan-right', 'pan-up', 'pan-down'] as const;
export const motionSchema = z.enum(MOTIONS);

export const curationSkipSchema = z.object({
  mediaId: idSchema,
  reason: z.enum(['duplicate', 'blurry', 'unreadable', 'over_limit']),
  /** For a duplicate: the photo kept instead. */
  similarTo: idSchema.optional(),
  /** For a blurry photo: its sharpest part's sharpness (media/sharpness.ts) and the level below which it is soft. */
  measure: z.number().optional(),
  threshold: z.number().optional(),
});
export type CurationSkip = z.infer<typeof curationSkipSchema>;

/** A place on a map shot's route, where the trip's photos of it were taken. */
export const routePlaceSchema = z.object({
  name: z.string().min(1).max(200),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});

/** What a map shot draws: the route through its places in order, over the area `bounds` keeps in view (degrees). */
export const shotMapSchema = z.object({
  places: z.array(routePlaceSchema).min(2).max(50),
  bounds: z.object({
    west: z.number().min(-180).max(180),
    south: z.number().min(-90).max(90),
    east: z.number().min(-180).max(180),
    north: z.number().min(-90).max(90),
  }),
});
export type ShotMap = z.infer<typeof shotMapSchema>;

export const SHOT_KINDS = ['photo', 'clip', 'map'] as const;

const shotFields = z.object({
  /** Stored storyboards from before shots had kinds are all photos. */
  kind: z.enum(SHOT_KINDS).default('photo'),
  /** The photo or clip shown; a map shot has none. */
  mediaId: idSchema.optional(),
  /** A map shot's route. */
  map: shotMapSchema.optional(),
  startSec: z.number().nonnegative(),
  durationSec: z.number().positive(),
  motion: motionSchema,
  scene: z.number().int().nonnegative(),
  caption: z.string().nullable(),
  place: z.string().nullable().default(null),
  /**
   * How the photo fills the frame: `crop` cuts it to the frame's shape around
   * its subject (panning across a scene wider than the frame); `fill` shows it
   * whole over a blurred copy of itself, only when no crop keeps the subject whole;
   * `pair` shows two portrait photos of one moment side by side (see `pair`).
   */
  framing: z.enum(['crop', 'fill', 'pair']).default('crop'),
  /**
   * Why: the subject fits a crop (`subject_fits`) or is larger than any (`subject_too_large`); with no subject
   * known, a crop keeps most of the photo (`most_kept`) or would lose too much (`too_much_lost`); two portrait photos
   * of one moment in a landscape frame share it (`portrait_pair`). Absent on older storyboards.
   */
  framingReason: z
    .enum(['subject_fits', 'subject_too_large', 'most_kept', 'too_much_lost', 'portrait_pair'])
    .optional(),
  /** The photo's most salient region (0..1 of its width and height, upright); motion keeps it in frame. */
  focus: photoRegionSchema.nullable().default(null),
  /** A `pair` shot's second photo, on the frame's right half (the shot's own `mediaId` is on the left), and its subject. */
  pair: z.object({ mediaId: idSchema, focus: photoRegionSchema.nullable().default(null) }).optional(),
  /** A clip shot: where in the clip it starts; it then plays in real time, with its own sound under the narration. */
  clipStartSec: z.number().nonnegative().optional(),
});

export const shotSchema = shotFields.superRefine((shot, context) => {
  if (shot.kind === 'map' ? !shot.map : !shot.mediaId)
    context.addIssue({
      code: 'custom',
      message: shot.kind === 'map' ? 'a map shot needs its map' : `a ${shot.kind} shot needs its mediaId`,
      path: [shot.kind === 'map' ? 'map' : 'mediaId'],
    });
  if ((shot.framing === 'pair') !== (shot.pair !== undefined && shot.kind === 'photo'))
    context.addIssue({
      code: 'custom',
      message: 'a photo shot has a pair exactly when its framing is "pair"',
      path: ['pair'],
    });
});
export type Shot = z.infer<typeof shotSchema>;

/** The photos and clips a storyboard shows, each once, in order (map shots show none). */
export const shotMediaIds = (shots: Shot[]): Id[] => [
  ...new Set(shots.flatMap((shot) => [shot.mediaId, shot.pair?.mediaId].filter((id) => id !== undefined))),
];

export const narrationSegmentSchema = z.object({ startSec: z.number().nonnegative(), text: z.string().min(1) });
export type NarrationSegment = z.infer<typeof narrationSegmentSchema>;

/** A chapter of the video: a day or a place of the trip, from the shot it begins with. */
export const chapterSchema = z.object({ startSec: z.number().nonnegative(), title: z.string().min(1).max(200) });
export type Chapter = z.infer<typeof chapterSchema>;

export const musicGridSchema = z.object({ bpm: z.number().min(50).max(200), beatOffsetSec: z.number().nonnegative() });
export type MusicGrid = z.infer<typeof musicGridSchema>;

/** What a video is about and how it sounds, as its storyboard settles it; its rating and its archive record keep them. */
export const videoStyleFields = {
  theme: z.string(),
  mood: z.string(),
  musicStyle: z.string(),
  durationSec: z.number(),
};

export const storyboardSchema = z.object({
  ...videoStyleFields,
  resolution: resolutionSchema,
  aspect: aspectSchema.default('16:9'),
  /** The frame actually rendered. */
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Frames per second rendered: 30, or 15 for a preview. */
  fps: z.number().int().min(1).max(60).optional(),
  /** What the soundtrack is seeded with (the run that planned it), so a storyboard rendered again sounds the same. */
  musicSeed: z.string().max(64).optional(),
  transition: transitionSchema.default('crossfade'),
  /** The opening title card, or null for none. */
  title: z.object({ text: z.string(), subtitle: z.string().nullable() }).nullable().default(null),
  /** Photos left out and why: nothing is left out silently. */
  curation: z.object({ skipped: z.array(curationSkipSchema) }).default({ skipped: [] }),
  shots: z.array(shotSchema).min(1),
  /** The language everything said or written in the video is in. */
  language: languageSchema.default('en'),
  /** One per day or place, in order, the first at 0 (with the title card); written into the MP4 as its chapters. */
  chapters: z.array(chapterSchema).default([]),
  scenes: z.array(
    z.object({
      index: z.number().int(),
      startedAt: z.string().nullable(),
      place: z.string().nullable(),
      shotCount: z.number().int(),
    }),
  ),
  narration: z.object({
    enabled: z.boolean(),
    script: z.string(),
    /** The script as lines, each placed while its scene is on screen. */
    segments: z.array(narrationSegmentSchema).optional(),
  }),
  tempoBpm: z.number().int().min(50).max(200),
  /** The soundtrack's tempo and first beat; every cut falls on `beatOffsetSec + k * 60 / bpm`. */
  music: musicGridSchema.optional(),
  /** Why mood and music were chosen: the request, the memory index, or a default. */
  choice: z.object({ source: z.enum(['request', 'memory', 'default']), reason: z.string() }),
  provider: z.string(),
});
export type Storyboard = z.infer<typeof storyboardSchema>;

export const videoOutputSchema = z.object({
  bytes: z.number().int().positive(),
  durationSec: z.number().positive(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  videoCodec: z.string(),
  audioCodec: z.string(),
  /** An edit's video: how many of its frames were copied from the source's picture unchanged. */
  reused: reusedSchema.optional(),
});

export const outputsSchema = z.object({
  video: videoOutputSchema.optional(),
  voice: z.object({ bytes: z.number().int(), durationSec: z.number(), provider: z.string() }).nullable().optional(),
  music: z.object({ bytes: z.number().int(), durationSec: z.number(), provider: z.string() }).optional(),
  poster: z.object({ bytes: z.number().int() }).optional(),
  /** A plan (`planOnly`): storyboard, narration and soundtrack, and no video. */
  plan: z.literal(true).optional(),
});
export type VideoOutput = z.infer<typeof videoOutputSchema>;
export type Outputs = z.infer<typeof outputsSchema>;

/** A complete run's outputs: the video is there, or the run was a plan and made none. */
const videoOutputsSchema = outputsSchema.extend({ video: videoOutputSchema, plan: z.undefined().optional() });
const planOutputsSchema = outputsSchema.extend({ video: z.undefined().optional(), plan: z.literal(true) });
export const completeOutputsSchema = z.union([videoOutputsSchema, planOutputsSchema]);
export type CompleteOutputs = z.infer<typeof completeOutputsSchema>;

const timingSchema = z.object({ startedAt: isoDate, finishedAt: isoDate.optional(), ms: z.number().optional() });

const runBase = {
  runId: idSchema,
  projectId: idSchema,
  step: agentSchema.nullable(),
  progress: z.number().min(0).max(1),
  request: startRunBodySchema,
  mediaIds: z.array(idSchema),
  storyboard: storyboardSchema.optional(),
  outputs: outputsSchema.optional(),
  timings: z.partialRecord(agentSchema, timingSchema).optional(),
  providers: z.partialRecord(agentSchema, z.string()).optional(),
  attempts: z.number().int().nonnegative().default(0),
  cancelRequested: z.boolean().default(false),
  createdAt: isoDate,
  updatedAt: isoDate,
};

/** A run's state; the status decides which fields must be there. */
export const runStateSchema = z.discriminatedUnion('status', [
  z.object({ ...runBase, status: z.literal('queued') }),
  z.object({ ...runBase, status: z.literal('running') }),
  z.object({ ...runBase, status: z.literal('complete'), storyboard: storyboardSchema, outputs: completeOutputsSchema }),
  z.object({ ...runBase, status: z.literal('failed'), error: runErrorSchema }),
  z.object({ ...runBase, status: z.literal('cancelled') }),
]);
export type RunState = z.infer<typeof runStateSchema>;
export const runStatusSchema = z.enum(
  runStateSchema.options.map((option) => option.shape.status.value) as [RunState['status'], ...RunState['status'][]],
);
export type RunStatus = z.infer<typeof runStatusSchema>;
export const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set(['complete', 'failed', 'cancelled']);
export const isTerminal = (status: RunStatus) => TERMINAL_STATUSES.has(status);

export const runSummarySchema = z.object({
  runId: idSchema,
  status: runStatusSchema,
  step: agentSchema.nullable(),
  progress: z.number(),
  createdAt: isoDate,
  updatedAt: isoDate,
  theme: z.string().nullable(),
  /** Retention removed the run's documents; its video (if it completed) is still served. */
  archived: z.boolean().optional(),
  /** A plan (`planOnly`): it completes with a storyboard and audio, and no video. */
  plan: z.boolean().optional(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

/** Signed where a browser needs them without headers: `EventSource`, `<video>`, `<track>` (captions are WebVTT). */
export const runLinksSchema = z.object({
  self: z.url(),
  progress: z.url(),
  video: z.url(),
  captions: z.url(),
  /** The narration and the soundtrack, playable before the video exists (a plan has no video at all). */
  voice: z.url(),
  music: z.url(),
});

export const startRunResponseSchema = z.object({
  runId: idSchema,
  status: z.literal('queued').or(runSummarySchema.shape.status),
  links: runLinksSchema,
});

/** GET …/runs/{runId}: the RunState with its links (the signed ones renewed). */
export const runStateResponseSchema = z.discriminatedUnion(
  'status',
  runStateSchema.options.map((option) => option.extend({ links: runLinksSchema })) as unknown as [
    (typeof runStateSchema.options)[0],
  ],
);

export const runListResponseSchema = z.object({ runs: z.array(runSummarySchema) });

export const cancelRunResponseSchema = z.object({
  runId: idSchema,
  status: runSummarySchema.shape.status,
  cancelRequested: z.literal(true),
});
