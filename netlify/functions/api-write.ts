import type { Config } from '@netlify/functions';
import { handleApiRequest } from '../../src/api/index.js';

/** Every /api write, behind Netlify's rate limit (per IP and domain); the same router as the reads. */
export default (request: Request) => handleApiRequest(request);

export const config: Config = {
  path: '/api/*',
  method: ['POST', 'PUT', 'PATCH', 'DELETE'],
  rateLimit: { windowLimit: 120, windowSize: 60, aggregateBy: ['ip', 'domain'] },
};
