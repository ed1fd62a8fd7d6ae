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
