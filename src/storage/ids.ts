import { AppError } from '../errors.js';
import { ID_PATTERN, idSchema, type Id } from '../schemas/common.js';

export { ID_PATTERN, idSchema, type Id };

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
