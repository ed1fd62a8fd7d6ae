import { checkHealth } from '../health/index.js';
import { authorize } from '../http/auth.js';
import { json } from '../http/respond.js';
import type { Route } from '../http/router.js';

/** Whether the caller sent the admin token (health itself needs no token). */
function isAdmin(request: Request, url: URL): boolean {
  try {
    return authorize({ request, url, requirement: 'admin', projectId: undefined, acceptsSignedLink: false }).kind === 'admin';
  } catch {
    return false;
  }
}

export const healthRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/health',
    auth: 'none',
    handler: async ({ request, url }) => {
      const health = await checkHealth({ roundTrip: isAdmin(request, url) });
      return json(health.ok ? 200 : 503, health);
    },
  },
];
