import { checkHealth } from '../health/index.js';
import { json } from '../http/respond.js';
import { defineRoute, type Route } from '../http/route.js';
import { healthSchema } from '../schemas/health.js';

export const healthRoutes: Route[] = [
  defineRoute({
    method: 'GET',
    path: '/api/health',
    auth: 'none',
    tag: 'service',
    summary: 'Liveness, version, auth mode, ffmpeg and a Blobs round trip',
    responses: {
      200: { description: 'Healthy', schema: healthSchema },
      503: { description: 'Storage unreachable (same shape) or auth not configured in production (error shape)' },
    },
    handler: async () => {
      const health = await checkHealth();
      return json(health.ok ? 200 : 503, health);
    },
  }),
];
