import type { Config } from '@netlify/functions';
import { runWatchdog } from '../../src/pipeline/watchdog.js';
import { runScheduledRepair } from '../../src/repair/index.js';

/** Netlify gives a scheduled function 30 s; the watchdog and the repair slice share 25 s of it. */
const BUDGET_MS = 25_000;
const WATCHDOG_BUDGET_MS = 10_000;

/**
 * Every minute: re-invoke stalled runs (found by their lease, through the
 * index of active runs), then give repair what is left of the budget (a pass
 * an hour, in slices, resumed from its cursor). `npm start` runs this on a
 * timer too.
 */
export default async (request: Request): Promise<Response> => {
  const started = Date.now();
  // The background function lives on the site itself; Netlify sets URL to the site's main address.
  const origin = process.env.URL || new URL(request.url).origin;
  const watchdog = await runWatchdog({ origin, budgetMs: WATCHDOG_BUDGET_MS });
  const repairBudget = BUDGET_MS - (Date.now() - started);
  const repair = repairBudget > 1000 ? await runScheduledRepair(repairBudget) : null;
  return Response.json({
    watchdog: {
      examined: watchdog.examined,
      triggered: watchdog.triggered.length,
      settled: watchdog.settled,
      complete: watchdog.complete,
    },
    repair: repair && {
      examined: repair.examined,
      found: repair.found,
      repaired: repair.repaired,
      complete: repair.complete,
    },
    ms: Date.now() - started,
  });
};

export const config: Config = {
  schedule: '* * * * *',
};
