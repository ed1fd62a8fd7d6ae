import { checkHealth } from '../health/index.js';
import { json } from '../http/respond.js';
import type { Route } from '../http/router.js';

export const healthRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/health',
    auth: 'none',
    handler: async () => {
      const health = await checkHealth();
      return json(health.ok ? 200 : 503, health);
    },
  },
];
