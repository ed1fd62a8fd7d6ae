import { z } from 'zod';

/** Languages a video can be told in: the local voice has their dictionaries, and the director their sentences. */
export const LANGUAGES = ['en', 'fr', 'de', 'es', 'it', 'pt', 'nl'] as const;
export const languageSchema = z.enum(LANGUAGES);
export type Language = z.infer<typeof languageSchema>;

const isLanguage = (code: string): code is Language => (LANGUAGES as readonly string[]).includes(code);

/** The language of a BCP 47 tag, by its primary subtag ("pt-BR" → "pt"); null when malformed or not spoken here. */
export function primaryLanguage(tag: string): Language | null {
  let canonical: string | undefined;
  try {
    [canonical] = Intl.getCanonicalLocales(tag);
  } catch {
    return null;
  }
  const primary = canonical?.split('-')[0]?.toLowerCase() ?? '';
  return isLanguage(primary) ? primary : null;
}

/**
 * A `language` field of a request: any well-formed BCP 47 tag whose primary
 * language is one of LANGUAGES. Anything else is refused with 422
 * `unsupported_language`, its details listing the supported languages (the
 * HTTP edge reads `params` of the issue: see http/errors.ts).
 */
export const languageTagSchema = z
  .string()
  .refine((tag) => tag.length <= 35 && primaryLanguage(tag) !== null, {
    message: `must be a BCP 47 tag of one of the supported languages: ${LANGUAGES.join(', ')}`,
    params: { status: 422, code: 'unsupported_language', details: { supported: [...LANGUAGES] } },
  })
  .meta({
    description: `BCP 47 tag (default "en"); its primary language must be one of: ${LANGUAGES.join(', ')} ("fr-CA" is French)`,
    examples: ['fr', 'pt-BR'],
  });
