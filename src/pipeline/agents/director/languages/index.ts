import type { Language } from '../../../../schemas/language.js';
import { de } from './de.js';
import { en } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import { it } from './it.js';
import { nl } from './nl.js';
import type { Phrasebook } from './phrasebook.js';
import { pt } from './pt.js';

export type { Gap, PartOfDay, Phrasebook, When } from './phrasebook.js';

/** Every language's phrasebook: a language without one fails the type check. */
const PHRASEBOOKS: Record<Language, Phrasebook> = { en, fr, de, es, it, pt, nl };

export const phrasebookFor = (language: Language): Phrasebook => PHRASEBOOKS[language];

/** A calendar day as written by a camera, as a UTC instant: formatted in UTC, it is never shifted by a time zone. */
export const utcDay = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day));

/** The weekday and month of a day, as the language names them ("dimanche", "juillet"). */
export function dayNames(language: Language, date: Date): { weekday: string; month: string } {
  const { locale } = phrasebookFor(language);
  const name = (options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(date);
  return { weekday: name({ weekday: 'long' }), month: name({ month: 'long' }) };
}

const countryNames = new Map<Language, Intl.DisplayNames>();

/** A country's name in the language ("Norvège"), or null to keep the one given. */
export function countryIn(language: Language, code: string): string | null {
  if (language === 'en' || !code) return null;
  let names = countryNames.get(language);
  if (!names) {
    names = new Intl.DisplayNames([phrasebookFor(language).locale], { type: 'region' });
    countryNames.set(language, names);
  }
  try {
    return names.of(code) ?? null;
  } catch {
    return null;
  }
}
