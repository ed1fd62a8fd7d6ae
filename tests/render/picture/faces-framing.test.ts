import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { analysePhoto } from '../../../src/media/analyse.js';
import { detectFaces } from '../../../src/media/faces.js';
import { planStoryboard } from '../../../src/pipeline/agents/director/storyboard-plan.js';
import { fpsOf, frameSpans } from '../../../src/render/graph.js';
import { FFMPEG_BUILDS, mediaFor, renderStoryboard } from '../../helpers/render.js';
import { realPhoto } from '../../helpers/real-photos.js';
import { ffmpegOutput } from '../../helpers/video-measure.js';

const ffmpeg = process.env.FFMPEG_PATH ?? FFMPEG_BUILDS.debian;
const [WIDTH, HEIGHT] = [360, 640];

/**
 * A wide photo (3:1) with a person at its very edge: the rocket at dusk and the coffee across most of it, the
 * astronaut at the right-hand end.
 */
async function personAtTheEdge(): Promise<Uint8Array> {
  const height = 512;
  const part = (name: 'rocket' | 'coffee') =>
    sharp(realPhoto(name)).resize(512, height, { fit: 'cover' }).jpeg().toBuffer();
  return new Uint8Array(
    await sharp({ create: { width: 1536, height, channels: 3, background: '#000' } })
      .composite([
        { input: await part('rocket'), left: 0, top: 0 },
        { input: await part('coffee'), left: 512, top: 0 },
        { input: Buffer.from(realPhoto('astronaut')), left: 1024, top: 0 },
      ])
      .jpeg({ quality: 92 })
      .toBuffer(),
  );
}

describe('faces in a vertical frame', () => {
  it('a person at the very edge of a wide photo stays whole and large in 9:16, as a viewer sees the frames', async () => {
    const bytes = await personAtTheEdge();
    const media = { ...mediaFor('m_wide', 1536, 512), takenAt: '2024-07-10T10:00:00' };
    const analysis = await analysePhoto(media, bytes);
    expect(analysis.faces).toHaveLength(1);
    const storyboard = planStoryboard({
      runId: 'r_faces',
      media: [media],
      request: { aspect: '9:16', resolution: '360p', durationSec: 3, title: false, narration: false },
      style: { mood: 'calm', musicStyle: 'acoustic', source: 'default', reason: 'test' },
      facts: new Map([['m_wide', { mediaId: 'm_wide', ...analysis }]]),
    });
    const shot = storyboard.shots[0]!;
    expect([shot.framing, shot.framingReason]).toEqual(['crop', 'subject_fits']);

    const video = await renderStoryboard(storyboard, [{ photo: { media, bytes } }], ffmpeg);
    try {
      const raw = await ffmpegOutput(ffmpeg, ['-i', video.file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
      const size = WIDTH * HEIGHT * 3;
      const span = frameSpans(storyboard.shots, fpsOf(storyboard))[0]!;
      // Every 10th frame before the fade-out.
      const frames = Array.from({ length: Math.floor((span.end - 30) / 10) }, (_, k) => k * 10);
      // The face as a crop around it would show it: the photo's height scaled to the frame's.
      const faceInPhoto = analysis.faces![0]!.height * 512;
      const faceInCrop = faceInPhoto * (HEIGHT / 512);
      for (const n of frames) {
        const faces = await detectFaces(raw.subarray(n * size, (n + 1) * size), WIDTH, HEIGHT);
        await sharp(raw.subarray(n * size, (n + 1) * size), { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
          .png()
          .toFile(`/tmp/ff-${n}.png`);
        expect(faces.length, `frame ${n}`).toBe(1);
        const face = faces[0]!;
        // Whole: not cut by the frame's edges.
        expect(face.x, `frame ${n}`).toBeGreaterThan(0.01);
        expect(face.x + face.width, `frame ${n}`).toBeLessThan(0.99);
        expect(face.y, `frame ${n}`).toBeGreaterThan(0.01);
        // Large: at least half of what a crop around it gives.
        expect(face.height * HEIGHT, `frame ${n}`).toBeGreaterThanOrEqual(faceInCrop / 2);
      }
    } finally {
      video.cleanup();
    }
  }, 120_000);
});
