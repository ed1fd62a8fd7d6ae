import type { Storyboard } from '../../src/schemas/run.js';
import { parseId, type Id } from '../../src/storage/index.js';

/**
 * A storyboard of one photo shown for the whole video (360p, 16:9, one zoom-in
 * shot), as fixtures need one: any field may be given, and `mediaId` names the
 * shot's photo.
 */
export function oneShotStoryboard(fields: Partial<Storyboard> & { mediaId?: Id } = {}): Storyboard {
  const { mediaId = parseId('m_fixture'), ...given } = fields;
  const durationSec = given.durationSec ?? 6;
  return {
    theme: 'Test',
    mood: 'calm',
    musicStyle: 'acoustic',
    durationSec,
    resolution: '360p',
    aspect: '16:9',
    width: 640,
    height: 360,
    transition: 'crossfade',
    title: null,
    curation: { skipped: [] },
    shots: [
      {
        kind: 'photo',
        mediaId,
        startSec: 0,
        durationSec,
        motion: 'zoom-in',
        scene: 0,
        caption: null,
        place: null,
        framing: 'crop',
        focus: null,
      },
    ],
    scenes: [],
    narration: { enabled: false, script: '' },
    tempoBpm: 90,
    choice: { source: 'default', reason: 'test' },
    provider: 'local',
    ...given,
  };
}
