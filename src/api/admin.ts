import { errorDoc } from '../http/errors.js';
import { json } from '../http/respond.js';
import { defineRoute, type Route } from '../http/route.js';
import { runCleanup } from '../retention/cleanup.js';
import { cleanupBodySchema, cleanupReportSchema } from '../schemas/retention.js';

/** A synchronous function has 60 s; the pass stops well before, saving its cursor. */
const ADMIN_BUDGET_MS = 45_000;

export const adminRoutes: Route[] = [
  defineRoute({
    method: 'POST',
    path: '/api/admin/cleanup',
    auth: 'admin',
    tag: 'admin',
    summary: 'Run retention now (admin)',
    body: cleanupBodySchema,
    responses: {
      200: { description: 'CleanupReport', schema: cleanupReportSchema },
      400: errorDoc('Invalid body'),
      401: errorDoc('No or invalid token'),
      403: errorDoc('Not the admin token'),
    },
    handler: async ({ body }) => {
      const report = await runCleanup({ now: body.now ? new Date(body.now) : new Date(), dryRun: body.dryRun ?? false, budgetMs: ADMIN_BUDGET_MS });
      return json(200, report);
    },
  }),
];
