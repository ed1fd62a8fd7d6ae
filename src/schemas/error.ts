import { z } from 'zod';

/** API.md's error body, the same from every route. `retryable` says whether sending the same request again can help. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string().regex(/^[a-z][a-z0-9_]*$/),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
    retryable: z.boolean().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** How a pipeline failure is sorted: what kind of thing went wrong. */
export const errorClassSchema = z.enum(['configuration', 'network', 'resource', 'input', 'timeout', 'internal']);
export type ErrorClass = z.infer<typeof errorClassSchema>;

export const severitySchema = z.enum(['low', 'medium', 'high', 'critical']);
export type Severity = z.infer<typeof severitySchema>;
