import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { analysePhoto, type PhotoFacts } from '../../src/media/analyse.js';
import { ComposeWorkspace } from '../../src/render/video/workspace.js';
import { encodeWav } from '../../src/render/sound/wav.js';
import type { Media } from '../../src/schemas/media.js';
import { frameSize, type Aspect, type Resolution, type Shot, type Storyboard } from '../../src/schemas/run.js';
import type { Id } from '../../src/storage/index.js';

export { FFMPEG_BUILDS } from './ffmpeg-builds.js';

/** A photo with detail at every scale (blurred noise over soft gradients), so motion is measurable anywhere in it. */
export async function texturedPhoto(width: number, height: number, seed = 1): Promise<Uint8Array> {
  const noise = Buffer.alloc(width * height * 3);
  // mulberry32: a linear congruential generator's top bits repeat in stripes.
  let state = seed >>> 0;
  for (let i = 0; i < noise.length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    noise[i] = ((t ^ (t >>> 14)) >>> 0) >>> 24;
  }
  const fine = await sharp(noise, { raw: { width, height, channels: 3 } })
    .blur(4)
    .normalise()
    .raw()
    .toBuffer();
  const coarse = await sharp(noise, { raw: { width, height, channels: 3 } })
    .resize(Math.round(width / 40), Math.round(height / 40))
    .resize(width, height, { kernel: 'cubic' })
    .raw()
    .toBuffer();
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = Math.round(0.5 * fine[i]! + 0.5 * coarse[i]!);
  return new Uint8Array(
    await sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality: 92 })
      .toBuffer(),
  );
}

export function mediaFor(
  mediaId: string,
  width: number,
  height: number,
  contentType: Media['contentType'] = 'image/jpeg',
): Media {
  return {
    mediaId: mediaId as Id,
    kind: 'photo',
    contentType,
    bytes: 1,
    sha256: '0'.repeat(64),
    width,
    height,
    takenAt: null,
    filename: `${mediaId}.jpg`,
    gps: null,
    camera: null,
    orientation: 1,
    uploadedAt: new Date().toISOString(),
  };
}

/** The director's facts for each photo, measured from its bytes as an upload measures them. */
export async function photoFacts(photos: TestShot['photo'][]): Promise<Map<string, PhotoFacts>> {
  return new Map(
    await Promise.all(
      photos.map(
        async (photo) =>
          [
            photo.media.mediaId as string,
            { mediaId: photo.media.mediaId, ...(await analysePhoto(photo.media, photo.bytes)) },
          ] as const,
      ),
    ),
  );
}

export interface TestShot extends Partial<Shot> {
  photo: { media: Media; bytes: Uint8Array };
}

/** A storyboard around the given shots, each `shotSec` long with `transitionSec` overlaps. */
export function storyboardFor(
  shots: TestShot[],
  options: {
    resolution?: Resolution;
    aspect?: Aspect;
    shotSec?: number;
    transitionSec?: number;
  } & Partial<Storyboard> = {},
): Storyboard {
  const { resolution = '360p', aspect = '16:9', shotSec = 2, transitionSec = 0 } = options;
  const frame = frameSize(resolution, aspect);
  const durationSec = Math.round((shots.length * shotSec - (shots.length - 1) * transitionSec) * 1000) / 1000;
  return {
    theme: 'Test',
    mood: 'calm',
    musicStyle: 'acoustic',
    durationSec,
    resolution,
    aspect,
    width: frame.width,
    height: frame.height,
    transition: 'crossfade',
    title: null,
    curation: { skipped: [] },
    shots: shots.map(({ photo, ...shot }, i) => ({
      mediaId: photo.media.mediaId,
      startSec: i * (shotSec - transitionSec),
      durationSec: shotSec,
      motion: 'zoom-in' as const,
      scene: 0,
      caption: null,
      place: null,
      framing: 'crop' as const,
      focus: null,
      ...shot,
      kind: shot.kind ?? photo.media.kind,
    })),
    language: 'en',
    chapters: [],
    scenes: [{ index: 0, startedAt: null, place: null, shotCount: shots.length }],
    narration: { enabled: false, script: '' },
    tempoBpm: 80,
    choice: { source: 'default', reason: 'test' },
    provider: 'test',
    ...Object.fromEntries(
      Object.entries(options).filter(([key]) => !['resolution', 'aspect', 'shotSec', 'transitionSec'].includes(key)),
    ),
  };
}

/** Renders a storyboard through the real compose workspace and ffmpeg; returns the MP4's path (removed by `cleanup`). */
export async function renderStoryboard(
  storyboard: Storyboard,
  shots: TestShot[],
  ffmpeg: string,
): Promise<{ file: string; cleanup: () => void }> {
  const workspace = await ComposeWorkspace.create();
  const byId = new Map(shots.map((shot) => [shot.photo.media.mediaId as string, shot.photo]));
  try {
    await workspace.prepareShots(storyboard, async (mediaId) => byId.get(mediaId)!);
    const silence = encodeWav({
      sampleRate: 44100,
      channels: [new Float32Array(Math.ceil(storyboard.durationSec * 44100))],
    });
    const { mp4 } = await workspace.render(storyboard, { music: silence, voice: null }, ffmpeg);
    const dir = mkdtempSync(join(tmpdir(), 'sirtrav-render-'));
    const file = join(dir, 'video.mp4');
    writeFileSync(file, mp4);
    return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  } finally {
    await workspace.dispose();
  }
}
