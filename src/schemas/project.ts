import { z } from 'zod';
import { idSchema, isoDate } from './common.js';

export const createProjectBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(120).optional(),
});

export const projectInfoSchema = z.object({
  projectId: idSchema,
  name: z.string().nullable(),
  createdAt: isoDate,
});
export type ProjectInfo = z.infer<typeof projectInfoSchema>;

export const createProjectResponseSchema = z.object({
  projectId: idSchema,
  token: z.string(),
  webhookSecret: z.string().regex(/^whsec_/),
  name: z.string().nullable(),
  createdAt: isoDate,
});
