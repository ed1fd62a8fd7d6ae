import { z } from 'zod';

/** The characters and length of every id (API.md); used whole, or inside a storage key pattern. */
export const ID_CHARS = '[A-Za-z0-9_-]{1,64}';
/** API.md: ids match this pattern; anything else is a 400 and never reaches a storage key. */
export const ID_PATTERN = new RegExp(`^${ID_CHARS}$`);

export const idSchema = z
  .string()
  .regex(ID_PATTERN, 'must be 1 to 64 characters of A-Z, a-z, 0-9, "_" or "-"')
  .brand<'Id'>();
export type Id = z.infer<typeof idSchema>;

export const isoDate = z.iso.datetime({ offset: true });

/** Free text that may end up in narration, captions or logs: no control characters. */
export const plainText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((text) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text), 'must not contain control characters');

export const label = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z][a-z0-9 -]{0,31}$/, 'must be 1 to 32 letters, digits, spaces or "-", starting with a letter');
