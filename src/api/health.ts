import { checkHealth } from '../health/index.js';
import { actsAsAdmin } from '../http/auth.js';
import { json } from '../http/respond.js';
import { routeGroup, type Route } from '../http/route.js';
import { healthSchema } from '../schemas/health.js';

const publicRoute = routeGroup({ auth: 'none', tag: 'service' });

export const healthRoutes: Route[] = [
  publicRoute.get('/api/health', {
    operationId: 'getHealth',
    summary:
      'Liveness, version, auth mode, whether ffmpeg is there and a Blobs read for anyone; the admin token adds a write-and-read round trip and the details (ffmpeg path and build, renderer, providers)',
    responses: {
      200: { description: 'Healthy', schema: healthSchema },
      503: { description: 'Storage unreachable (same shape) or auth not configured in production (error shape)' },
    },
    handler: async ({ request, url, serving }) => {
      const health = await checkHealth({ admin: actsAsAdmin(request, url, serving), serving });
      return json(health.ok ? 200 : 503, health);
    },
  }),
];
