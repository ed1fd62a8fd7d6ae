import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { analysePhotos } from '../../src/media/analyse.js';
import { planStoryboard } from '../../src/pipeline/agents/director/storyboard-plan.js';
import type { Media } from '../../src/schemas/media.js';
import type { Id } from '../../src/storage/index.js';
import { BLURRY_BELOW } from '../../src/media/sharpness.js';
import { curationSkipSchema } from '../../src/schemas/run.js';
import { mediaFor, texturedPhoto } from '../helpers/render.js';
import { fogged, gaussianBlur, lensBlur, REAL_PHOTOS, realPhoto } from '../helpers/real-photos.js';

const style = { mood: 'calm', musicStyle: 'acoustic', source: 'default' as const, reason: 'test' };

/**
 * Real photos, one a day, with a softer near-duplicate, two out of focus, a foggy one, an unreadable file, and a
 * real photo blurred by camera shake.
 */
async function photoSet() {
  const photos: Array<{ media: Media; bytes: Uint8Array }> = [];
  const add = async (id: string, bytes: Uint8Array, takenAt: string) => {
    const size = await sharp(bytes)
      .metadata()
      .catch(() => ({ width: 1, height: 1 }));
    photos.push({ media: { ...mediaFor(id, size.width, size.height), takenAt }, bytes });
  };
  for (const [i, name] of REAL_PHOTOS.entries()) await add(`m_${name}`, realPhoto(name), `2024-07-0${i + 1}T10:00:00`);
  // The rocket again 20 s later, slightly brighter and softer: a near-duplicate, less sharp than the original.
  const again = await sharp(realPhoto('rocket'))
    .blur(0.8)
    .modulate({ brightness: 1.05 })
    .jpeg({ quality: 90 })
    .toBuffer();
  await add('m_again', new Uint8Array(again), `2024-07-0${REAL_PHOTOS.indexOf('rocket') + 1}T10:00:20`);
  // Low texture but sharp: the dusk sky seen through fog (the old whole-photo measure dropped such photos).
  await add('m_fog', await fogged(realPhoto('dusk-sky'), 0.3), '2024-07-16T10:00:00');
  // Out of focus: the coffee through a defocused lens, the cat under a wide Gaussian.
  await add('m_coffee_soft', await lensBlur(realPhoto('coffee'), 5), '2024-07-17T10:00:00');
  await add('m_cat_soft', await gaussianBlur(realPhoto('chelsea'), 4), '2024-07-18T10:00:00');
  await add('m_broken', new Uint8Array(Buffer.from('not a photo at all')), '2024-07-19T10:00:00');
  // Blurred as taken: the camera moved.
  await add('m_clock', realPhoto('clock-motion'), '2024-07-20T10:00:00');
  return photos;
}

describe('photo facts', () => {
  it('come from the analysis stored with each photo, without reading it; a photo stored without one is analysed from its bytes', async () => {
    const [first, second] = (await photoSet()).slice(0, 2);
    const measured = await analysePhotos([first!.media], async () => first!.bytes);
    const { mediaId, ...analysis } = measured.get(first!.media.mediaId)!;
    expect(mediaId).toBe(first!.media.mediaId);
    const read: string[] = [];
    const facts = await analysePhotos([{ ...first!.media, analysis }, second!.media], async (id) => {
      read.push(id);
      return second!.bytes;
    });
    expect(read).toEqual([second!.media.mediaId]);
    expect(facts.get(first!.media.mediaId)).toEqual({ mediaId: first!.media.mediaId, ...analysis });
    expect(facts.get(second!.media.mediaId)).toMatchObject({
      mediaId: second!.media.mediaId,
      hash: expect.stringMatching(/^[01]{64}$/),
    });
  });

  it('measures again a photo whose stored analysis predates the sharpest-part measure', async () => {
    const [first] = await photoSet();
    const measured = await analysePhotos([first!.media], async () => first!.bytes);
    const { mediaId: _id, peakSharpness, ...old } = measured.get(first!.media.mediaId)!;
    const read: string[] = [];
    const facts = await analysePhotos([{ ...first!.media, analysis: old }], async (id) => {
      read.push(id);
      return first!.bytes;
    });
    expect(read).toEqual([first!.media.mediaId]);
    expect(facts.get(first!.media.mediaId)?.peakSharpness).toBe(peakSharpness);
  });

  it('reads curation entries written before blurry ones carried their measure', () => {
    expect(curationSkipSchema.parse({ mediaId: 'm_old', reason: 'blurry' })).toEqual({
      mediaId: 'm_old',
      reason: 'blurry',
    });
  });
});

describe('curation', () => {
  it('leaves out a near-duplicate (keeping the sharper), out-of-focus photos and an unreadable one, each with its reason; sharp low-texture photos stay', async () => {
    const photos = await photoSet();
    const bytes = new Map(photos.map((p) => [p.media.mediaId as string, p.bytes]));
    const facts = await analysePhotos(
      photos.map((p) => p.media),
      async (id) => bytes.get(id)!,
    );
    const storyboard = planStoryboard({
      runId: 'r_curation',
      media: photos.map((p) => p.media),
      request: { durationSec: 12, resolution: '360p' },
      style,
      facts,
    });
    const blurry = { reason: 'blurry', measure: expect.any(Number), threshold: BLURRY_BELOW };
    expect(storyboard.curation.skipped).toEqual(
      expect.arrayContaining([
        { mediaId: 'm_again', reason: 'duplicate', similarTo: 'm_rocket' },
        { mediaId: 'm_coffee_soft', ...blurry },
        { mediaId: 'm_cat_soft', ...blurry },
        { mediaId: 'm_broken', reason: 'unreadable' },
        { mediaId: 'm_clock', ...blurry },
      ]),
    );
    expect(storyboard.curation.skipped).toHaveLength(5);
    for (const skip of storyboard.curation.skipped.filter((s) => s.reason === 'blurry'))
      expect(skip.measure).toBeLessThan(BLURRY_BELOW);
    expect(storyboard.shots.map((s) => s.mediaId)).toEqual([...REAL_PHOTOS.map((name) => `m_${name}`), 'm_fog']);
  }, 60_000);

  it('keeps the better of two duplicates whichever comes first', async () => {
    const sharpOne = await texturedPhoto(1200, 800, 21);
    const soft = new Uint8Array(await sharp(sharpOne).blur(1.5).jpeg().toBuffer());
    const media = [
      { ...mediaFor('m_soft', 1200, 800), takenAt: '2024-07-10T10:00:00' },
      { ...mediaFor('m_crisp', 1200, 800), takenAt: '2024-07-10T10:00:05' },
      { ...mediaFor('m_other', 1200, 800), takenAt: '2024-07-12T10:00:00' },
    ];
    const bytes = new Map<string, Uint8Array>([
      ['m_soft', soft],
      ['m_crisp', sharpOne],
      ['m_other', await texturedPhoto(1200, 800, 22)],
    ]);
    const facts = await analysePhotos(media, async (id) => bytes.get(id)!);
    const storyboard = planStoryboard({ runId: 'r_dup', media, request: { durationSec: 8 }, style, facts });
    expect(storyboard.curation.skipped).toEqual([{ mediaId: 'm_soft', reason: 'duplicate', similarTo: 'm_crisp' }]);
  }, 60_000);

  it('more good photos than the duration can show: spread evenly over time, the rest recorded as over the limit', async () => {
    const media = Array.from({ length: 12 }, (_, i) => ({
      ...mediaFor(`m_${String(i).padStart(2, '0')}`, 1200, 800),
      takenAt: `2024-07-${10 + i}T10:00:00`,
    }));
    const storyboard = planStoryboard({ runId: 'r_many', media, request: { durationSec: 6 }, style });
    const shown = storyboard.shots.map((s) => s.mediaId);
    expect(shown[0]).toBe('m_00');
    expect(shown.at(-1)).toBe('m_11');
    const over = storyboard.curation.skipped.filter((s) => s.reason === 'over_limit').map((s) => s.mediaId);
    expect(over.length + shown.length).toBe(12);
    expect(over.some((id) => shown.includes(id as Id))).toBe(false);
  });
});
