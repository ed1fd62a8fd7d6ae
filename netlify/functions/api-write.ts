import type { Config, Context } from '@netlify/functions';
import { handleApiRequest } from '../../src/api/index.js';
import { flushAfterResponse } from '../../src/metrics/metrics.js';

/** Every /api write, behind Netlify's rate limit (per IP and domain); the same router as the reads. */
export default async (request: Request, context?: Partial<Context>) => {
  const response = await handleApiRequest(request, { deployContext: context?.deploy?.context });
  // Request figures wait in memory; a due flush runs after the answer has gone.
  flushAfterResponse(context);
  return response;
};

export const config: Config = {
  path: '/api/*',
  method: ['POST', 'PUT', 'PATCH', 'DELETE'],
  rateLimit: { windowLimit: 120, windowSize: 60, aggregateBy: ['ip', 'domain'] },
};
