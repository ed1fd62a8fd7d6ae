import { describe, expect, it } from 'vitest';
import { phrasebookFor } from '../../../src/pipeline/agents/director/languages/index.js';
import { narrateScenes } from '../../../src/pipeline/agents/director/narration.js';
import { drawableText, titleOverlay } from '../../../src/render/picture/text.js';
import { LANGUAGES } from '../../../src/schemas/language.js';

const frame = { width: 640, height: 360, aspect: '16:9' as const };

/** Pixels a title of `text` draws as white text (not its scrim or shadow), through the renderer's own code path. */
async function ink(text: string): Promise<number> {
  const overlay = await titleOverlay({ text, subtitle: null }, frame);
  if (!overlay) return 0;
  let count = 0;
  for (let i = 0; i < overlay.alpha.length; i++) if (overlay.alpha[i]! >= 128 && overlay.y[i]! >= 200) count++;
  return count;
}

/** Every letter the languages write: their narration, closings, month and weekday names, and their own alphabets. */
function lettersOfTheLanguages(): Set<string> {
  const texts: string[] = ['éèêëàâäçñßãõœæüöïîôûùúíóáìòÉÈÀÂÇÑÜÖÄÕÃÍÓÚ¡¿«»„“”‘’–—·ĳĲ'];
  for (const language of LANGUAGES) {
    const words = phrasebookFor(language);
    texts.push(...words.closings, words.untitled);
    for (let month = 0; month < 12; month++) {
      const day = new Date(Date.UTC(2024, month, 1 + month));
      texts.push(
        new Intl.DateTimeFormat(words.locale, { weekday: 'long', month: 'long', timeZone: 'UTC' }).format(day),
        new Intl.DateTimeFormat(words.locale, { month: 'short', timeZone: 'UTC' }).format(day),
      );
    }
    for (const seed of ['a', 'b', 'c', 'd'])
      texts.push(
        ...narrateScenes({
          theme: '',
          hasExplicitTheme: false,
          scenes: ['2024-03-01T08:00', '2024-03-01T15:00', '2024-03-02T19:00', '2024-03-05T09:00'].map((at, i) => ({
            index: i,
            startSec: i * 10,
            endSec: (i + 1) * 10,
            startedAt: at,
            place: { town: `Town${i}`, country: 'Norvège', countryCode: 'NO', population: 1, km: 1 },
            shotCount: 1,
          })),
          durationSec: 40,
          seed,
          language,
        }).map((s) => s.text),
      );
  }
  return new Set([...texts.join('')].filter((ch) => ch.charCodeAt(0) > 127 && !/\s/.test(ch)));
}

describe('the title font draws every letter of the video languages', () => {
  it('each non-ASCII letter is drawn with ink, an accented one with more than its bare letter', async () => {
    const letters = lettersOfTheLanguages();
    expect(letters.size).toBeGreaterThan(40);
    for (const letter of letters) {
      const drawn = drawableText(letter);
      // Kept as itself, or (ĳ, which the font lacks) as the letters it stands for.
      expect(drawn, letter).toBe(letter.normalize(drawn === letter ? 'NFC' : 'NFKC'));
      const inked = await ink(letter);
      expect(inked, letter).toBeGreaterThan(5);
      const bare = letter.normalize('NFD').replace(/\p{M}/gu, '');
      if (bare !== letter && /^[a-zA-Z]$/.test(bare))
        expect(inked, `${letter} against ${bare}`).toBeGreaterThan(await ink(bare));
    }
  });

  it('a character the font has no glyph for is left out, not drawn as a box: the measure sees it', async () => {
    expect(drawableText('a\u{1F99C}b')).toBe('ab');
    expect(await ink('\u{1F99C}')).toBe(0);
    expect(drawableText('Bĳ de ĲSSEL')).toBe('Bij de IJSSEL');
  });
});
