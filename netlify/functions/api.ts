import type { Config } from '@netlify/functions';
import { handleApiRequest } from '../../src/api/index.js';

/** Every /api route; routing, auth and errors live in src/http. */
export default (request: Request) => handleApiRequest(request);

export const config: Config = {
  path: '/api/*',
};
