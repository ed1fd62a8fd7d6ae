import { z } from 'zod';
import { isAppError } from '../errors.js';
import { recordRequest } from './metrics.js';

const statusOf = (error: unknown) => (isAppError(error) ? error.status : error instanceof z.ZodError ? 400 : 500);

/**
 * Times one route's answer (auth and handler) and counts it under the route's
 * pattern, errors included. Only memory is touched; see metrics.ts for the flush.
 */
export async function measureRoute(label: string, handle: () => Promise<Response>): Promise<Response> {
  const started = performance.now();
  try {
    const response = await handle();
    recordRequest(label, response.status, performance.now() - started);
    return response;
  } catch (error) {
    recordRequest(label, statusOf(error), performance.now() - started);
    throw error;
  }
}
