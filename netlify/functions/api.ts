import type { Config, Context } from '@netlify/functions';
import { handleApiRequest } from '../../src/api/index.js';
import { flushAfterResponse } from '../../src/metrics/metrics.js';

/** Every /api read; routing, auth and errors live in src/http. Writes go through api-write. */
export default async (request: Request, context?: Partial<Context>) => {
  const response = await handleApiRequest(request, { deployContext: context?.deploy?.context });
  // Request figures wait in memory; a due flush runs after the answer has gone.
  flushAfterResponse(context);
  return response;
};

export const config: Config = {
  path: '/api/*',
  method: ['GET', 'OPTIONS'],
};
