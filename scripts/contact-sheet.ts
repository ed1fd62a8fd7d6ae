/**
 * docs/contact-sheet.png: frames from a 16:9 and a 9:16 render of samples/,
 * made by the real director and compose code (`npx tsx scripts/contact-sheet.ts`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { findFfmpeg } from '../src/media/find-ffmpeg.js';
import { inspectImage } from '../src/media/inspect.js';
import { ComposeWorkspace } from '../src/render/video/workspace.js';
import { analysePhotos } from '../src/media/analyse.js';
import { planStoryboard } from '../src/pipeline/agents/director/storyboard-plan.js';
import { encodeWav } from '../src/render/sound/wav.js';
import type { Media } from '../src/schemas/media.js';
import type { Aspect } from '../src/schemas/run.js';
import type { Id } from '../src/storage/index.js';
import { ffmpegOutput } from '../tests/helpers/video-measure.js';

const ROOT = resolve(import.meta.dirname, '..');
const DURATION = 14;
const TIMES = [0.3, 1.4, 3.2, 5.6, 8.1, 10.6, 12.9];

async function samples(): Promise<Array<{ media: Media; bytes: Uint8Array }>> {
  const files = readdirSync(join(ROOT, 'samples'))
    .filter((name) => name.endsWith('.jpg'))
    .sort();
  return Promise.all(
    files.map(async (name, i) => {
      const bytes = new Uint8Array(readFileSync(join(ROOT, 'samples', name)));
      const facts = await inspectImage(bytes);
      const media: Media = {
        mediaId: `m_sample${i}` as Id,
        kind: 'photo',
        contentType: facts.contentType,
        bytes: bytes.byteLength,
        sha256: '0'.repeat(64),
        width: facts.width,
        height: facts.height,
        takenAt: facts.takenAt,
        filename: name,
        gps: facts.gps,
        camera: facts.camera,
        orientation: facts.orientation ?? 1,
        uploadedAt: new Date().toISOString(),
      };
      return { media, bytes };
    }),
  );
}

async function renderFrames(
  aspect: Aspect,
  mood: string,
  photos: Awaited<ReturnType<typeof samples>>,
  ffmpeg: string,
  tile: number,
): Promise<Buffer[]> {
  const byId = new Map(photos.map((p) => [p.media.mediaId as string, p]));
  const facts = await analysePhotos(
    photos.map((p) => p.media),
    async (id) => byId.get(id)!.bytes,
  );
  const storyboard = planStoryboard({
    runId: `r_sheet_${aspect.replace(':', '')}`,
    media: photos.map((p) => p.media),
    request: { durationSec: DURATION, resolution: '720p', aspect, captions: true },
    style: { mood, musicStyle: 'acoustic', source: 'request', reason: 'contact sheet' },
    facts,
  });
  const workspace = await ComposeWorkspace.create();
  const dir = await mkdtemp(join(tmpdir(), 'sirtrav-sheet-'));
  try {
    await workspace.prepareShots(storyboard, async (id) => byId.get(id)!);
    const music = encodeWav({ sampleRate: 44100, channels: [new Float32Array(DURATION * 44100)] });
    const { mp4 } = await workspace.render(storyboard, { music, voice: null }, ffmpeg);
    await writeFile(join(dir, 'video.mp4'), mp4);
    return await Promise.all(
      TIMES.map(async (t) => {
        const png = await ffmpegOutput(ffmpeg, [
          '-ss',
          t.toFixed(2),
          '-i',
          join(dir, 'video.mp4'),
          '-frames:v',
          '1',
          '-f',
          'image2pipe',
          '-vcodec',
          'png',
          'pipe:1',
        ]);
        return sharp(png).resize({ height: tile }).png().toBuffer();
      }),
    );
  } finally {
    await workspace.dispose();
    await rm(dir, { recursive: true, force: true });
  }
}

const ffmpeg = (await findFfmpeg())!.path;
const photos = await samples();
const GAP = 8;
const wide = await renderFrames('16:9', 'happy', photos, ffmpeg, 180);
const tall = await renderFrames('9:16', 'dramatic', photos, ffmpeg, 400);
const wideWidth = 320;
const tallWidth = 225;
const width = GAP + TIMES.length * (wideWidth + GAP);
const height = GAP + 180 + GAP + 400 + GAP;
const composite = [
  ...wide.map((input, i) => ({ input, left: GAP + i * (wideWidth + GAP), top: GAP })),
  ...tall.map((input, i) => ({
    input,
    left: GAP + i * Math.floor((width - GAP) / TIMES.length),
    top: GAP + 180 + GAP,
  })),
];
await sharp({ create: { width, height, channels: 3, background: '#111111' } })
  .composite(composite)
  .png()
  .toFile(join(ROOT, 'docs', 'contact-sheet.png'));
console.log(
  `docs/contact-sheet.png: ${width}×${height}, 16:9 and 9:16 at 720p, ${TIMES.length} frames each (${tallWidth}px wide tall tiles)`,
);
