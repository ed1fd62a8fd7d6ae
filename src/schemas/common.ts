import { z } from 'zod';
export { idSchema, type Id } from '../storage/ids.js';

export const isoDate = z.iso.datetime({ offset: true });
