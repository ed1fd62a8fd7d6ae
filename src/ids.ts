import { randomBytes } from 'node:crypto';
import { parseId, type Id } from './storage/ids.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZabcdefghjkmnpqrstvwxyz';

/** A random id that sorts by creation time: a time prefix, then 80 random bits. */
export function newId(prefix: string, now = Date.now()): Id {
  const time = now.toString(36).padStart(9, '0');
  const random = [...randomBytes(12)].map((byte) => ALPHABET[byte % ALPHABET.length]).join('');
  return parseId(`${prefix}_${time}${random}`);
}
