import type { z } from 'zod';
import { uploadSessionSchema } from '../schemas/media.js';
import { defineDocument, idSchema } from '../storage/index.js';

/**
 * The stored upload session, and the photo it became once completed (so a retried complete gets the same
 * answer). Kept apart from the upload code so the scheduled repair can read sessions without pulling in the
 * image decoders (sharp, heic-decode) that storing a photo needs.
 */
export const uploadSessionDocSchema = uploadSessionSchema.extend({ mediaId: idSchema.nullable().default(null) });
export type StoredUploadSession = z.infer<typeof uploadSessionDocSchema>;
export const uploadSessionDoc = defineDocument({ name: 'upload-session', version: 1, schema: uploadSessionDocSchema });
