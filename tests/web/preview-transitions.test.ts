import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fpsOf, frameSpans } from '../../src/render/graph.js';
import type { Storyboard, Transition } from '../../src/schemas/run.js';
import { useBrowser } from '../helpers/browser.js';
import { FFMPEG_BUILDS, mediaFor, renderStoryboard, storyboardFor } from '../helpers/render.js';
import { useLocalServer } from '../helpers/server.js';
import { ffmpegOutput } from '../helpers/video-measure.js';

const server = useLocalServer();
const browser = useBrowser();
const [WIDTH, HEIGHT] = [640, 360];
/** Columns the two pictures are compared in. */
const BANDS = 64;

async function solid(rgb: [number, number, number]): Promise<Uint8Array> {
  const [r, g, b] = rgb;
  return new Uint8Array(
    await sharp({ create: { width: 1200, height: 800, channels: 3, background: { r, g, b } } })
      .jpeg({ quality: 95 })
      .toBuffer(),
  );
}

/** Per band of columns, how red the picture is against blue: R / (R + B), averaged over the band's pixels. */
function redness(rgba: Uint8Array | Uint8ClampedArray, channels: number): number[] {
  const bands = new Array<number>(BANDS).fill(0);
  const counts = new Array<number>(BANDS).fill(0);
  for (let y = 0; y < HEIGHT; y += 4)
    for (let x = 0; x < WIDTH; x++) {
      const i = (y * WIDTH + x) * channels;
      const band = Math.floor((x * BANDS) / WIDTH);
      bands[band]! += rgba[i]! / (rgba[i]! + rgba[i + 2]! + 1);
      counts[band]!++;
    }
  return bands.map((sum, i) => sum / counts[i]!);
}

describe('the preview passes from shot to shot as the video does', () => {
  it.each<Transition>(['slide', 'wipe', 'crossfade', 'zoom'])(
    '%s: at a third and two thirds of the transition, the preview and the rendered frame agree column by column',
    async (transition) => {
      const red = { media: mediaFor('m_red', 1200, 800), bytes: await solid([220, 30, 30]) };
      const blue = { media: mediaFor('m_blue', 1200, 800), bytes: await solid([30, 30, 220]) };
      const storyboard: Storyboard = {
        ...storyboardFor([{ photo: red }, { photo: blue }], { shotSec: 2, transitionSec: 1 }),
        transition,
      };
      const fps = fpsOf(storyboard);
      const [first, second] = frameSpans(storyboard.shots, fps) as Array<{ start: number; end: number }>;
      const frames = [1 / 3, 2 / 3].map((share) => Math.round(second!.start + share * (first!.end - second!.start)));

      const video = await renderStoryboard(storyboard, [{ photo: red }, { photo: blue }], FFMPEG_BUILDS.debian);
      const rendered: number[][] = [];
      try {
        for (const n of frames) {
          const raw = await ffmpegOutput(FFMPEG_BUILDS.debian, [
            '-i',
            video.file,
            '-vf',
            `select=eq(n\\,${n})`,
            '-frames:v',
            '1',
            '-f',
            'rawvideo',
            '-pix_fmt',
            'rgb24',
            'pipe:1',
          ]);
          rendered.push(redness(raw, 3));
        }
      } finally {
        video.cleanup();
      }

      const photos = {
        m_red: `data:image/jpeg;base64,${Buffer.from(red.bytes).toString('base64')}`,
        m_blue: `data:image/jpeg;base64,${Buffer.from(blue.bytes).toString('base64')}`,
      };
      const page = await browser.current.newPage();
      try {
        await page.goto(server.current.url);
        // The page's own module, as the editor loads it.
        await page.addScriptTag({
          type: 'module',
          content: "import { createPreview } from '/preview.js'; window.createPreview = createPreview;",
        });
        await page.waitForFunction(() => 'createPreview' in window);
        const previewed = await page.evaluate(
          async ({ storyboard, photos, times }) => {
            const { createPreview } = window as unknown as {
              createPreview: (options: object) => Promise<{ draw: (t: number) => void }>;
            };
            const canvas = document.createElement('canvas');
            document.body.append(canvas);
            const player = await createPreview({
              canvas,
              storyboard,
              photoUrl: async (id: string) => photos[id as keyof typeof photos],
              voice: new Audio(),
              music: new Audio(),
            });
            return times.map((t) => {
              player.draw(t);
              const context = canvas.getContext('2d')!;
              return { width: canvas.width, data: [...context.getImageData(0, 0, canvas.width, canvas.height).data] };
            });
          },
          { storyboard, photos, times: frames.map((n) => n / fps) },
        );
        for (const [k, picture] of previewed.entries()) {
          expect(picture.width).toBe(WIDTH);
          const preview = redness(Uint8Array.from(picture.data), 4);
          const differences = preview.map((value, band) => Math.abs(value - rendered[k]![band]!));
          expect(
            Math.max(...differences),
            `frame ${frames[k]}: preview ${preview.map((v) => v.toFixed(2)).join(' ')}\nvideo   ${rendered[k]!.map((v) => v.toFixed(2)).join(' ')}`,
          ).toBeLessThan(0.04);
        }
        // The two moments differ: the transition is under way, not a cut.
        expect(Math.abs(rendered[0]![BANDS / 2]! - rendered[1]![BANDS / 2]!)).toBeGreaterThan(0.05);
      } finally {
        await page.close();
      }
    },
    120_000,
  );
});
