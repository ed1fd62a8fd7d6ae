import { z } from 'zod';
import { AppError } from '../errors.js';

/** API.md: ids match this pattern; anything else is a 400 and never reaches a storage key. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const idSchema = z
  .string()
  .regex(ID_PATTERN, 'must be 1 to 64 characters of A-Z, a-z, 0-9, "_" or "-"')
  .brand<'Id'>();

export type Id = z.infer<typeof idSchema>;

export class InvalidIdError extends AppError {
  constructor(what: string, value: unknown) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
    super(400, 'invalid_id', `${what} ${shown} is not a valid id: use 1 to 64 characters of A-Z, a-z, 0-9, "_" or "-"`);
    this.name = 'InvalidIdError';
  }
}

export function parseId(value: unknown, what = 'id'): Id {
  const result = idSchema.safeParse(value);
  if (!result.success) throw new InvalidIdError(what, value);
  return result.data;
}

export const isId = (value: unknown): value is Id => typeof value === 'string' && ID_PATTERN.test(value);
