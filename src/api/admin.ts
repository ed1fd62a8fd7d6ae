import { cleanupBodySchema } from '../schemas/retention.js';
import { readJson } from '../http/body.js';
import { json } from '../http/respond.js';
import type { Route } from '../http/router.js';
import { runCleanup } from '../retention/cleanup.js';
import { repairBodySchema, runRepair } from '../repair/index.js';


/** A synchronous function has 60 s; the pass stops well before, saving its cursor. */
const ADMIN_BUDGET_MS = 45_000;

export const adminRoutes: Route[] = [
  {
    method: 'POST',
    path: '/api/admin/cleanup',
    auth: 'admin',
    handler: async ({ request }) => {
      const body = await readJson(request, cleanupBodySchema);
      const report = await runCleanup({ now: body.now ? new Date(body.now) : new Date(), dryRun: body.dryRun ?? false, budgetMs: ADMIN_BUDGET_MS });
      return json(200, report);
    },
  },
  {
    method: 'POST',
    path: '/api/admin/repair',
    auth: 'admin',
    handler: async ({ request }) => {
      const body = await readJson(request, repairBodySchema);
      // A whole pass from the start; one cut short by the budget says `complete: false` and can be asked again.
      const report = await runRepair({ dryRun: body.dryRun ?? false, budgetMs: ADMIN_BUDGET_MS });
      return json(200, report);
    },
  },
];
