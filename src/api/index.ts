import type { Route } from '../http/route.js';
import { createRouter } from '../http/router.js';
import { adminRoutes } from './admin.js';
import { captionRoutes } from './captions.js';
import { healthRoutes } from './health.js';
import { learningRoutes } from './learning.js';
import { mediaRoutes } from './media.js';
import { openApiRoutes } from './openapi.js';
import { operationsRoutes } from './operations.js';
import { portabilityRoutes } from './portability.js';
import { progressRoutes } from './progress.js';
import { projectRoutes } from './projects.js';
import { runRoutes } from './runs.js';
import { shareRoutes } from './shares.js';

/** Every HTTP route of the API, in one table. */
export const routes: Route[] = [
  ...healthRoutes,
  ...openApiRoutes(() => routes),
  ...projectRoutes,
  ...mediaRoutes,
  ...runRoutes,
  ...captionRoutes,
  ...shareRoutes,
  ...progressRoutes,
  ...learningRoutes,
  ...portabilityRoutes,
  ...adminRoutes,
  ...operationsRoutes,
];

export const handleApiRequest = createRouter(routes);
