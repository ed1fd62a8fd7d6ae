import { describe, expect, it } from 'vitest';
import { followProgress } from '../../packages/client/src/index.js';
import { dateRange } from '../../src/pipeline/agents/director/title.js';
import { drawableText, titleOverlay } from '../../src/render/picture/text.js';
import type { Overlay } from '../../src/render/picture/overlay.js';
import { findFfmpeg } from '../../src/media/find-ffmpeg.js';
import { LANGUAGES } from '../../src/schemas/language.js';
import type { RunState, Storyboard } from '../../src/schemas/run.js';
import { createProjectOverHttp, uploadPhotos } from '../helpers/api.js';
import { probeChapters } from '../helpers/chapters.js';
import { useLocalServer } from '../helpers/server.js';
import { browserRgbFrame } from '../helpers/video-measure.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const server = useLocalServer();

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Words only the English narration uses: any in another language's lines is a template left untranslated. */
const ENGLISH = /\b(It began|we were|we went|the|days later|went on|arrived|reached|came|journey|remember)\b/;

async function finishedRun(api: (path: string) => string, body: object) {
  const started = await post(api('/runs'), body);
  expect(started.status).toBe(202);
  const { runId, links } = (await started.json()) as {
    runId: string;
    links: { self: string; progress: string; video: string };
  };
  const final = await followProgress(links.progress, { onEvent: () => undefined });
  expect(final?.status, JSON.stringify(final)).toBe('complete');
  const state = (await (await fetch(links.self)).json()) as RunState & { status: 'complete' };
  const video = new Uint8Array(await (await fetch(links.video)).arrayBuffer());
  return { runId, storyboard: state.storyboard, video };
}

/** The frame shown at `atSec` as a browser shows it (sRGB, 3 bytes a pixel). */
async function frameAt(video: Uint8Array, atSec: number, width: number, height: number): Promise<Uint8Array> {
  const dir = await mkdtemp(join(tmpdir(), 'sirtrav-title-'));
  try {
    const file = join(dir, 'video.mp4');
    await writeFile(file, video);
    return await browserRgbFrame((await findFfmpeg())!.path, file, atSec, width, height);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Frame positions an overlay draws as solid white text (not its shadow, scrim or antialiased edge). */
function textCore(overlay: Overlay, width: number): Set<number> {
  const core = new Set<number>();
  for (let i = 0; i < overlay.alpha.length; i++)
    if (overlay.alpha[i]! >= 250 && overlay.y[i]! >= 230)
      core.add((overlay.top + Math.floor(i / overlay.width)) * width + overlay.left + (i % overlay.width));
  return core;
}

/** The share of these pixels that are white text: every channel bright. */
const brightShare = (rgb: Uint8Array, at: Iterable<number>) => {
  const positions = [...at];
  const white = (i: number) => Math.min(rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!) > 200;
  return positions.filter(white).length / Math.max(1, positions.length);
};

/** The title frame shows this title's text, not the English one: measured on the video's own pixels. */
async function expectTitleDrawn(storyboard: Storyboard, video: Uint8Array, englishSubtitle: string) {
  const frame = { width: storyboard.width, height: storyboard.height, aspect: storyboard.aspect };
  const title = storyboard.title!;
  // Every character of the title has a glyph: nothing is dropped on the way to the picture.
  expect(drawableText(`${title.text} ${title.subtitle}`)).toBe(`${title.text} ${title.subtitle}`.replace(/\s+/g, ' '));
  const rgb = await frameAt(video, 1.2, frame.width, frame.height);
  const drawn = textCore((await titleOverlay(title, frame))!, frame.width);
  const english = textCore((await titleOverlay({ ...title, subtitle: englishSubtitle }, frame))!, frame.width);
  const onlyEnglish = [...english].filter((i) => !drawn.has(i));
  expect(drawn.size).toBeGreaterThan(500);
  expect(onlyEnglish.length).toBeGreaterThan(50);
  expect(brightShare(rgb, drawn)).toBeGreaterThan(0.9);
  expect(brightShare(rgb, onlyEnglish)).toBeLessThan(0.3);
}

describe('a run in another language', () => {
  it.each([
    ['fr', 'Été à Lisbonne, ça commence', /Tout a commencé à Lisbon/, 'juillet'],
    ['de', 'Grüße aus Lissabon, Straßenfest', /Alles begann in Lisbon/, 'Juli'],
  ] as const)(
    '%s: narration, title, dates and chapters in it, in the storyboard, the pixels and the MP4',
    async (language, theme, opening, month) => {
      const { api } = await createProjectOverHttp(server.current.url);
      await uploadPhotos(api, 3, language === 'fr' ? 700 : 710);
      const { runId, storyboard, video } = await finishedRun(api, {
        durationSec: 12,
        resolution: '360p',
        title: theme,
        language: language === 'fr' ? 'fr-CA' : language,
      });
      expect(storyboard.language).toBe(language);

      const lines = storyboard.narration.segments!.map((s) => s.text);
      expect(lines.length).toBeGreaterThan(1);
      expect(lines[0]).toMatch(opening);
      for (const line of lines) expect(line).not.toMatch(ENGLISH);

      expect(storyboard.title!.text).toBe(theme);
      expect(storyboard.title!.subtitle).toContain(month);
      expect(storyboard.title!.subtitle).toContain(dateRange(['2024-07-10', '2024-07-12'], language));
      await expectTitleDrawn(storyboard, video, dateRange(['2024-07-10', '2024-07-12'], 'en')!);

      // Photos a day apart: a chapter each, "Jour 1 · Lisbon", starting on its shot.
      const day = language === 'fr' ? 'Jour' : 'Tag';
      expect(storyboard.chapters).toEqual(
        storyboard.shots.map((shot, i) => ({ startSec: shot.startSec, title: `${day} ${i + 1} · Lisbon` })),
      );
      const chapters = await probeChapters(video);
      expect(chapters.map((c) => c.title)).toEqual(storyboard.chapters.map((c) => c.title));
      chapters.forEach((chapter, i) =>
        expect(Math.abs(chapter.startSec - storyboard.chapters[i]!.startSec)).toBeLessThanOrEqual(1 / 30),
      );
      expect(chapters.at(-1)!.endSec).toBeCloseTo(storyboard.durationSec, 1);

      // Rendered again from its storyboard, the video keeps its language, words and chapters.
      const again = await finishedRun(api, { storyboardFrom: runId });
      expect(again.storyboard).toMatchObject({
        language,
        narration: storyboard.narration,
        title: storyboard.title,
        chapters: storyboard.chapters,
      });
      expect((await probeChapters(again.video)).map((c) => c.title)).toEqual(chapters.map((c) => c.title));
    },
    240_000,
  );

  it('a language the voice cannot speak is 422 listing the supported ones, and no run starts', async () => {
    const { api } = await createProjectOverHttp(server.current.url);
    await uploadPhotos(api, 1, 720);
    for (const language of ['ja', 'xx', 'fr_FR', 'not a language']) {
      const response = await post(api('/runs'), { durationSec: 5, resolution: '360p', language });
      expect(response.status, language).toBe(422);
      const { error } = (await response.json()) as { error: { code: string; message: string; details: unknown } };
      expect(error.code).toBe('unsupported_language');
      expect(error.message).toContain('language');
      expect(error.details).toEqual({ supported: [...LANGUAGES] });
    }
    // A wrong type is a malformed body, as for any field.
    expect((await post(api('/runs'), { language: 5 })).status).toBe(400);
    const { runs } = (await (await fetch(api('/runs'))).json()) as { runs: unknown[] };
    expect(runs).toEqual([]);
  });
});
