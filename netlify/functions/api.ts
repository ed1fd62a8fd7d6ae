import type { Config } from '@netlify/functions';
import { handleApiRequest } from '../../src/api/index.js';

/** Every /api read; routing, auth and errors live in src/http. Writes go through api-write. */
export default (request: Request) => handleApiRequest(request);

export const config: Config = {
  path: '/api/*',
  method: ['GET', 'OPTIONS'],
};
