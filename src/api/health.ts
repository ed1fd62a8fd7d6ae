import { checkHealth } from '../health/index.js';
import { sentAdminToken } from '../http/auth.js';
import { json } from '../http/respond.js';
import { routeGroup, type Route } from '../http/route.js';
import { healthSchema } from '../schemas/health.js';

const publicRoute = routeGroup({ auth: 'none', tag: 'service' });

export const healthRoutes: Route[] = [
  publicRoute.get('/api/health', {
    summary: 'Liveness, version, auth mode, ffmpeg and a Blobs check: a read for anyone, a write-and-read round trip with the admin token',
    responses: {
      200: { description: 'Healthy', schema: healthSchema },
      503: { description: 'Storage unreachable (same shape) or auth not configured in production (error shape)' },
    },
    handler: async ({ request, url }) => {
      const health = await checkHealth({ roundTrip: sentAdminToken(request, url) });
      return json(health.ok ? 200 : 503, health);
    },
  }),
];
