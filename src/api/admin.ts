import { json } from '../http/respond.js';
import { routeGroup, type Route } from '../http/route.js';
import { runCleanup } from '../retention/cleanup.js';
import { cleanupBodySchema, cleanupReportSchema } from '../schemas/retention.js';
import { repairBodySchema, repairReportSchema, runRepair } from '../repair/index.js';

const adminRoute = routeGroup({ auth: 'admin', tag: 'admin' });

/** A synchronous function has 60 s; the pass stops well before, saving its cursor. */
const ADMIN_BUDGET_MS = 45_000;

export const adminRoutes: Route[] = [
  adminRoute.post('/api/admin/cleanup', {
    operationId: 'runCleanup',
    summary: 'Run retention now (admin)',
    body: cleanupBodySchema,
    responses: { 200: { description: 'CleanupReport', schema: cleanupReportSchema } },
    handler: async ({ body }) =>
      json(
        200,
        await runCleanup({
          now: body.now ? new Date(body.now) : new Date(),
          dryRun: body.dryRun ?? false,
          budgetMs: ADMIN_BUDGET_MS,
        }),
      ),
  }),
  adminRoute.post('/api/admin/repair', {
    operationId: 'runRepair',
    summary:
      'Check every store against the others and repair: orphan videos, audio, progress and leases; complete runs without their video; memory indexes that disagree with the evaluations; uploads never completed; live runs missing from the active index (admin)',
    body: repairBodySchema,
    responses: {
      200: {
        description: 'What was found and what was repaired (nothing is changed with dryRun)',
        schema: repairReportSchema,
      },
    },
    // A whole pass from the start; one cut short by the budget says `complete: false` and can be asked again.
    handler: async ({ body }) =>
      json(200, await runRepair({ dryRun: body.dryRun ?? false, budgetMs: ADMIN_BUDGET_MS })),
  }),
];
