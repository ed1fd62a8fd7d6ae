import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  CAPTION_PLACE,
  captionBlocks,
  layoutText,
  safeArea,
  TITLE_PLACE,
  titleBlocks,
  type TextLayout,
} from '../../../src/render/picture/text.js';
import { FFMPEG_BUILDS, mediaFor, renderStoryboard, storyboardFor } from '../../helpers/render.js';
import { realPhoto } from '../../helpers/real-photos.js';
import { browserRgbFrame } from '../../helpers/video-measure.js';

const ffmpeg = process.env.FFMPEG_PATH ?? FFMPEG_BUILDS.debian;
const frame = { width: 360, height: 640, aspect: '9:16' as const };
const PLACE = 'Ålesund, Møre og Romsdal, Norway';
const title = { text: PLACE, subtitle: `28 Dec 2023 – 3 Jan 2024 · ${PLACE}` };
const caption = `${PLACE} · 31 Dec 2023`;

/** The bounding box of white text ink: near-white in the frame with text where the frame without it is not. */
function inkBox(plain: Uint8Array, texted: Uint8Array) {
  let [left, right, top, bottom, count] = [frame.width, -1, frame.height, -1, 0];
  for (let p = 0; p < frame.width * frame.height; p++) {
    const i = p * 3;
    const white = texted[i]! > 225 && texted[i + 1]! > 225 && texted[i + 2]! > 225;
    if (!white || plain[i]! + plain[i + 1]! + plain[i + 2]! > 3 * 190) continue;
    const [x, y] = [p % frame.width, Math.floor(p / frame.width)];
    [left, right, top, bottom] = [Math.min(left, x), Math.max(right, x), Math.min(top, y), Math.max(bottom, y)];
    count++;
  }
  return { left, right, top, bottom, count };
}

/** The box the laid-out lines span, in frame pixels. */
function laidBox(layout: TextLayout) {
  const first = layout.lines[0]!;
  const last = layout.lines.at(-1)!;
  return {
    left: Math.min(...layout.lines.map((line) => line.x)),
    right: Math.max(...layout.lines.map((line) => line.x + line.width)),
    // From the first line's cap height to the last line's baseline: accents and descenders reach a little past.
    top: layout.top + first.baseline - first.size * 0.73,
    bottom: layout.top + last.baseline,
  };
}

describe('text that fits', () => {
  it('wraps or shrinks a long title, date line and caption to stay whole in 9:16 at 360p: no word is cut', () => {
    const titleLayout = layoutText(titleBlocks(title, frame), frame, TITLE_PLACE)!;
    const captionLayout = layoutText(captionBlocks(caption, frame), frame, CAPTION_PLACE)!;
    const safe = safeArea('9:16');
    for (const [layout, text] of [
      [titleLayout, `${title.text} ${title.subtitle}`],
      [captionLayout, caption],
    ] as const) {
      // Every word, whole and in order (a " · " a line breaks at is dropped).
      const words = (value: string) => value.split(' ').filter((word) => word !== '·');
      expect(words(layout.lines.map((line) => line.text).join(' '))).toEqual(words(text));
      expect(layout.lines.length).toBeGreaterThan(1);
      for (const line of layout.lines) {
        expect(line.x).toBeGreaterThanOrEqual(frame.width * safe.left - 1);
        expect(line.x + line.width).toBeLessThanOrEqual(frame.width * (1 - safe.right) + 1);
      }
    }
    // A word wider than the frame alone is made smaller, never cut.
    const long = layoutText(
      [{ text: 'Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch', size: 40, maxLines: 1 }],
      frame,
      CAPTION_PLACE,
    )!;
    expect(long.lines).toHaveLength(1);
    expect(long.lines[0]!.width).toBeLessThanOrEqual(frame.width * (1 - safe.left - safe.right) + 1);
  });

  it('in the rendered frames the ink stays inside the safe area and spans the laid-out lines', async () => {
    const bytes = realPhoto('dusk-sky');
    const { width, height } = await sharp(bytes).metadata();
    const photo = { media: mediaFor('m_dusk', width, height), bytes };
    const shots = [
      { photo, motion: 'zoom-in' as const },
      { photo, motion: 'zoom-out' as const },
    ];
    const options = { aspect: '9:16' as const, shotSec: 4 };
    const plain = await renderStoryboard(storyboardFor(shots, options), shots, ffmpeg);
    const texted = await renderStoryboard(
      storyboardFor(
        shots.map((shot, i) => ({ ...shot, caption: i === 1 ? caption : null })),
        { ...options, title },
      ),
      shots,
      ffmpeg,
    );
    try {
      const safe = safeArea('9:16');
      for (const [atSec, layout] of [
        [1.8, layoutText(titleBlocks(title, frame), frame, TITLE_PLACE)!],
        [5.5, layoutText(captionBlocks(caption, frame), frame, CAPTION_PLACE)!],
      ] as const) {
        const ink = inkBox(
          await browserRgbFrame(ffmpeg, plain.file, atSec, frame.width, frame.height),
          await browserRgbFrame(ffmpeg, texted.file, atSec, frame.width, frame.height),
        );
        const laid = laidBox(layout);
        expect(ink.count, `ink at ${atSec}s`).toBeGreaterThan(400);
        // Nothing in the outer columns beyond the safe area.
        expect(ink.left).toBeGreaterThanOrEqual(Math.floor(frame.width * safe.left));
        expect(ink.right).toBeLessThanOrEqual(Math.ceil(frame.width * (1 - safe.right)));
        // The ink is where the lines were laid out (glyphs' side bearings and accents aside).
        expect(Math.abs(ink.left - laid.left), `left at ${atSec}s`).toBeLessThanOrEqual(4);
        expect(Math.abs(ink.right - laid.right), `right at ${atSec}s`).toBeLessThanOrEqual(4);
        expect(Math.abs(ink.top - laid.top), `top at ${atSec}s`).toBeLessThanOrEqual(layout.lines[0]!.size * 0.35);
        expect(Math.abs(ink.bottom - laid.bottom), `bottom at ${atSec}s`).toBeLessThanOrEqual(
          layout.lines.at(-1)!.size * 0.35,
        );
      }
    } finally {
      plain.cleanup();
      texted.cleanup();
    }
  }, 120_000);
});
