import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFfmpeg } from '../src/media/find-ffmpeg.js';
import { ComposeWorkspace } from '../src/render/video/workspace.js';
import { FPS, frameSpans } from '../src/render/graph.js';
import { analysePhotos } from '../src/media/analyse.js';
import { planStoryboard } from '../src/pipeline/agents/director/storyboard-plan.js';
import { musicRequestFor, synthesizeMusic } from '../src/pipeline/agents/music/synth.js';
import { speakNarration } from '../src/pipeline/agents/voice/placed.js';
import { encodeWav } from '../src/render/sound/wav.js';
import type { Media } from '../src/schemas/media.js';
import { mediaFor, texturedPhoto } from '../tests/helpers/render.js';
import { frameShifts, judder, lumaFrames } from '../tests/helpers/video-measure.js';
import { x264Floor } from './floor.js';
import { samplePeakRss } from './rss.js';
import { fmt } from './stats.js';

const PHOTOS = 10;
const DURATION = 30;

/** Judder of each shot's own frames (after its transition in, before its transition out), skipping the titled first shot. */
async function shotJudder(ffmpeg: string, file: string, shots: Parameters<typeof frameSpans>[0]): Promise<number[]> {
  const frames = await lumaFrames(ffmpeg, file, 256);
  const spans = frameSpans(shots);
  const fadeOut = frames.length - FPS;
  return spans
    .slice(1)
    .map((span, k) => {
      const i = k + 1;
      const from = Math.max(span.start, spans[i - 1]!.end);
      const to = Math.min(span.end, spans[i + 1]?.start ?? span.end, fadeOut);
      return judder(frameShifts(frames.slice(from, to), 256));
    })
    .filter((value) => Number.isFinite(value));
}

/**
 * 10 phone-sized photos → 30 s 720p with title, captions, music and narration:
 * the compose step (preparing the photos, mixing and encoding the soundtrack,
 * drawing every frame, encoding, muxing) against x264 alone
 * encoding the same frames with the same settings, measured in the same run.
 */
export async function benchPicture(): Promise<void> {
  const ffmpeg = (await findFfmpeg())!.path;
  const photos: Array<{ media: Media; bytes: Uint8Array }> = [];
  for (let i = 0; i < PHOTOS; i++) {
    photos.push({
      media: { ...mediaFor(`m_bench${i}`, 4000, 3000), takenAt: `2024-07-${10 + i}T10:00:00` },
      bytes: await texturedPhoto(4000, 3000, 100 + i),
    });
  }
  const byId = new Map(photos.map((p) => [p.media.mediaId as string, p]));
  const facts = await analysePhotos(
    photos.map((p) => p.media),
    async (id) => byId.get(id)!.bytes,
  );
  const storyboard = planStoryboard({
    runId: 'r_bench',
    media: photos.map((p) => p.media),
    request: { durationSec: DURATION, resolution: '720p', theme: 'A week in Lisbon', captions: true },
    style: { mood: 'calm', musicStyle: 'acoustic', source: 'default', reason: 'bench' },
    facts,
  });
  // The run's own music and narration, made beforehand as the music and voice agents make them.
  const music = encodeWav(await synthesizeMusic(musicRequestFor(storyboard, 'r_bench')));
  const voice = (await speakNarration(storyboard)).value.wav;

  const dir = await mkdtemp(join(tmpdir(), 'sirtrav-bench-picture-'));
  const workspace = await ComposeWorkspace.create();
  try {
    const rss = samplePeakRss(process.pid);
    const started = performance.now();
    // As a segment does: the render starts at once and each shot's frames wait for its photo.
    const [, { mp4, soundtrack }] = await Promise.all([
      workspace.prepareShots(storyboard, async (id) => byId.get(id)!),
      workspace.render(storyboard, { music, voice }, ffmpeg),
    ]);
    const composeSec = (performance.now() - started) / 1000;
    const peak = rss.stop();
    const file = join(dir, 'final.mp4');
    await writeFile(file, mp4);

    const { sec: floorSec, peakMb: floorPeak } = await x264Floor(ffmpeg, file, storyboard);

    const judders = await shotJudder(ffmpeg, file, storyboard.shots);
    console.log(
      `\n## Picture: ${PHOTOS} photos (4000×3000) → ${DURATION} s ${storyboard.width}×${storyboard.height}, title + captions, ${storyboard.transition}, music and narration (${soundtrack?.encoded.integratedLufs} LUFS); ${ffmpeg}`,
    );
    console.log('| measure | compose | floor (x264 alone, same frames and settings) | ratio |');
    console.log('|---|---|---|---|');
    console.log(
      `| wall time | ${fmt(composeSec)} s | ${fmt(floorSec)} s | ${fmt(composeSec / floorSec)} × floor (goal ≤ 1.5) |`,
    );
    console.log(`| peak RSS (this process + ffmpeg) | ${fmt(peak, 0)} MB | ${fmt(floorPeak, 0)} MB | |`);
    console.log(
      `| judder per shot (rms px/frame², limit 0.1) | max ${fmt(Math.max(...judders), 3)}, mean ${fmt(judders.reduce((a, b) => a + b, 0) / judders.length, 3)} over ${judders.length} shots | | |`,
    );
  } finally {
    await workspace.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}
