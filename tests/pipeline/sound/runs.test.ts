import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { followProgress } from '../../../packages/client/src/index.js';
import { decodeWav } from '../../../src/render/sound/wav.js';
import type { RunState, Shot, Storyboard } from '../../../src/schemas/run.js';
import { getBinary, keys, type Id } from '../../../src/storage/index.js';
import { beatPhase, ebur128 } from '../../helpers/audio.js';
import { createProjectOverHttp } from '../../helpers/api.js';
import { FFMPEG_BUILDS } from '../../helpers/ffmpeg-builds.js';
import { useLocalServer } from '../../helpers/server.js';

const server = useLocalServer();
const { debian: DEBIAN, bundled: BUNDLED } = FFMPEG_BUILDS;
const FPS = 30;
const dir = mkdtempSync(join(tmpdir(), 'sirtrav-sound-runs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

type Rgb = [number, number, number];
const COLOURS: Rgb[] = [
  [220, 40, 40],
  [40, 60, 220],
  [240, 220, 40],
  [30, 160, 60],
  [200, 40, 200],
  [40, 200, 210],
  [250, 140, 20],
  [90, 30, 140],
  [230, 230, 230],
  [20, 90, 90],
];

interface PhotoSpec {
  colour: Rgb;
  takenAt?: string;
  gps?: { latitude: number; longitude: number };
}

/** A flat-coloured photo (so Ken Burns motion leaves its mean colour alone), with the EXIF asked for. */
async function flatPhoto(spec: PhotoSpec): Promise<Uint8Array> {
  const exif: Record<string, Record<string, string>> = {};
  if (spec.takenAt) exif.IFD2 = { DateTimeOriginal: spec.takenAt, OffsetTimeOriginal: '+02:00' };
  if (spec.gps) {
    const dms = (value: number) => {
      const a = Math.abs(value);
      const d = Math.floor(a);
      const m = Math.floor((a - d) * 60);
      return `${d}/1 ${m}/1 ${Math.round(((a - d) * 60 - m) * 60 * 100)}/100`;
    };
    exif.IFD3 = {
      GPSLatitudeRef: spec.gps.latitude < 0 ? 'S' : 'N',
      GPSLatitude: dms(spec.gps.latitude),
      GPSLongitudeRef: spec.gps.longitude < 0 ? 'W' : 'E',
      GPSLongitude: dms(spec.gps.longitude),
    };
  }
  let image = sharp({
    create: {
      width: 480,
      height: 320,
      channels: 3,
      background: { r: spec.colour[0], g: spec.colour[1], b: spec.colour[2] },
    },
  });
  if (Object.keys(exif).length > 0) image = image.withExif(exif);
  return new Uint8Array(await image.jpeg().toBuffer());
}

async function renderRun(
  photos: PhotoSpec[],
  body: object,
): Promise<{
  state: RunState & { status: 'complete' };
  storyboard: Storyboard;
  file: string;
  projectId: Id;
  runId: Id;
  mediaIds: string[];
}> {
  const { api, projectId } = await createProjectOverHttp(server.current.url);
  const mediaIds: string[] = [];
  for (const photo of photos) {
    const response = await fetch(api('/media'), {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: Buffer.from(await flatPhoto(photo)),
    });
    expect(response.status).toBe(201);
    mediaIds.push(((await response.json()) as { media: Array<{ mediaId: string }> }).media[0]!.mediaId);
  }
  const started = await fetch(api('/runs'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ mediaIds, ...body }),
  });
  const { runId, links } = (await started.json()) as { runId: Id; links: { progress: string; video: string } };
  const state = (await followProgress(links.progress, { onEvent: () => undefined })) as RunState;
  expect(state.status, JSON.stringify(state)).toBe('complete');
  const file = join(dir, `${runId}.mp4`);
  writeFileSync(file, new Uint8Array(await (await fetch(links.video)).arrayBuffer()));
  return {
    state: state as RunState & { status: 'complete' },
    storyboard: state.storyboard!,
    file,
    projectId: projectId as Id,
    runId,
    mediaIds,
  };
}

/** Mean colour of every decoded frame. */
function frameColours(file: string): Rgb[] {
  const raw = spawnSync(
    DEBIAN,
    ['-v', 'error', '-i', file, '-vf', 'scale=16:9', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { maxBuffer: 1 << 28 },
  ).stdout;
  const size = 16 * 9 * 3;
  return Array.from({ length: raw.length / size }, (_, f) => {
    const sum: Rgb = [0, 0, 0];
    for (let i = 0; i < 16 * 9; i++) for (let c = 0; c < 3; c++) sum[c]! += raw[f * size + i * 3 + c]!;
    return sum.map((v) => v / (16 * 9)) as Rgb;
  });
}

function decodedAudio(file: string) {
  const wav = spawnSync(DEBIAN, ['-v', 'error', '-i', file, '-map', '0:a', '-f', 'wav', '-acodec', 'pcm_s16le', '-'], {
    maxBuffer: 1 << 28,
  }).stdout;
  return decodeWav(new Uint8Array(wav))!;
}

function expectOnTarget(file: string) {
  for (const reader of [DEBIAN, BUNDLED]) {
    const { integratedLufs, truePeakDbtp } = ebur128(reader, file);
    expect(Math.abs(integratedLufs + 16), `${integratedLufs} LUFS`).toBeLessThanOrEqual(1);
    expect(truePeakDbtp, `${truePeakDbtp} dBTP`).toBeLessThanOrEqual(-1.5);
  }
}

describe('the sound and the story of a run', () => {
  it('a 30 s run on the deployed ffmpeg: every cut seen within one frame of a beat, the music heard on that beat, loudness on target without narration', async () => {
    vi.stubEnv('FFMPEG_PATH', BUNDLED);
    const { storyboard, file, mediaIds } = await renderRun(
      COLOURS.map((colour) => ({ colour })),
      { durationSec: 30, resolution: '360p', mood: 'happy', narration: false, title: false },
    );
    const colourOf = (i: number) => COLOURS[mediaIds.indexOf(storyboard.shots[i]!.mediaId!)]!;
    const grid = storyboard.music!;
    const beat = 60 / grid.bpm;
    const colours = frameColours(file);
    expect(storyboard.shots.length).toBeGreaterThanOrEqual(6);
    const [first, second] = storyboard.shots as [Shot, Shot];
    const transitionSec = first.startSec + first.durationSec - second.startSec;
    let previous = 0;
    for (const [i, shot] of storyboard.shots.entries()) {
      if (i === 0) continue;
      const [a, b] = [colourOf(i - 1), colourOf(i)];
      const span = b.map((v, c) => v - a[c]!);
      const norm = span.reduce((sum, v) => sum + v * v, 0);
      const toward = (m: Rgb) => m.reduce((sum, v, c) => sum + (v - a[c]!) * span[c]!, 0) / norm;
      // Transitions ease in and out symmetrically, so the new picture is half there at the middle of the transition:
      // the transition began half its length before the first frame past that point.
      const half = colours.findIndex((m, f) => f > previous + transitionSec * FPS + 2 && toward(m) >= 0.5);
      const cutSec = half / FPS - transitionSec / 2;
      const k = Math.round((cutSec - grid.beatOffsetSec) / beat);
      expect(
        Math.abs(cutSec - (grid.beatOffsetSec + k * beat)),
        `cut ${i} seen at ${cutSec.toFixed(3)} s`,
      ).toBeLessThanOrEqual(1 / FPS + 1e-6);
      expect(Math.abs(cutSec - shot.startSec)).toBeLessThanOrEqual(1 / FPS + 1e-6);
      previous = half;
    }
    const heard = beatPhase(decodedAudio(file), grid.bpm, 1.5);
    const offset = Math.abs(heard.phaseSec - (grid.beatOffsetSec % beat));
    expect(
      Math.min(offset, beat - offset),
      `beats heard ${heard.phaseSec.toFixed(3)} s into each beat`,
    ).toBeLessThanOrEqual(1 / FPS);
    expectOnTarget(file);
  }, 600_000);

  it('a narrated run: a line naming a place starts while that place shows, the voice is heard from there, loudness on target', async () => {
    vi.stubEnv('FFMPEG_PATH', DEBIAN);
    const bled = { latitude: 46.3683, longitude: 14.1146 };
    const lauterbrunnen = { latitude: 46.5934, longitude: 7.9077 };
    const hallstatt = { latitude: 47.5622, longitude: 13.6493 };
    const photos: PhotoSpec[] = [
      { colour: COLOURS[0]!, takenAt: '2024:05:01 09:10:00', gps: bled },
      { colour: COLOURS[1]!, takenAt: '2024:05:01 09:40:00', gps: bled },
      { colour: COLOURS[2]!, takenAt: '2024:05:03 15:00:00', gps: lauterbrunnen },
      { colour: COLOURS[3]!, takenAt: '2024:05:03 15:30:00', gps: lauterbrunnen },
      { colour: COLOURS[4]!, takenAt: '2024:05:05 10:00:00', gps: hallstatt },
      { colour: COLOURS[5]!, takenAt: '2024:05:05 10:20:00', gps: hallstatt },
    ];
    const { storyboard, file, projectId, runId } = await renderRun(photos, {
      durationSec: 24,
      resolution: '360p',
      theme: 'Three lakes in the Alps',
    });
    const segments = storyboard.narration.segments!;
    expect(storyboard.shots.map((s) => s.place)).toEqual(
      expect.arrayContaining(['Bled, Slovenia', 'Lauterbrunnen, Switzerland']),
    );
    const voice = decodeWav((await getBinary(keys.voice(projectId, runId, 'wav')))!.data)!;
    const rms = (from: number, to: number) => {
      const samples = voice.channels[0]!.subarray(
        Math.round(from * voice.sampleRate),
        Math.round(to * voice.sampleRate),
      );
      return 20 * Math.log10(Math.sqrt(samples.reduce((sum, v) => sum + v * v, 0) / samples.length) + 1e-9);
    };
    let named = 0;
    for (const segment of segments) {
      expect(
        rms(segment.startSec, segment.startSec + 0.8),
        `voice at ${segment.startSec} s: "${segment.text}"`,
      ).toBeGreaterThan(-40);
      expect(rms(Math.max(0, segment.startSec - 0.3), segment.startSec - 0.05)).toBeLessThan(-60);
      // The route said over the map names every place at once (tests/pipeline/director-map.test.ts).
      if (storyboard.shots.some((s) => s.kind === 'map' && Math.abs(segment.startSec - s.startSec - 0.35) < 0.01))
        continue;
      for (const shot of storyboard.shots) {
        const town = shot.place?.split(',')[0];
        if (
          !town ||
          !segment.text.includes(town) ||
          storyboard.shots.some((s) => s.startSec < shot.startSec && s.place === shot.place)
        )
          continue;
        named++;
        // The first shot of that place is the one the line is about: the line starts while it shows.
        expect(segment.startSec, `"${segment.text}"`).toBeGreaterThanOrEqual(shot.startSec);
        expect(segment.startSec).toBeLessThan(shot.startSec + shot.durationSec);
      }
    }
    expect(named, JSON.stringify(segments)).toBeGreaterThanOrEqual(2);
    expectOnTarget(file);
  }, 600_000);

  it('a 3-minute narrated run keeps loudness and true peak on target', async () => {
    const photos = Array.from({ length: 12 }, (_, i) => ({
      colour: COLOURS[i % COLOURS.length]!,
      takenAt: `2024:08:${String(1 + i).padStart(2, '0')} 1${i % 10}:00:00`,
      gps: { latitude: -54.8019 + i * 0.001, longitude: -68.303 },
    }));
    const { storyboard, file } = await renderRun(photos, { durationSec: 180, resolution: '360p', mood: 'dramatic' });
    expect(storyboard.narration.segments!.length).toBeGreaterThan(0);
    expectOnTarget(file);
  }, 900_000);
});
