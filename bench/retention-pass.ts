import { runCleanup } from '../src/retention/cleanup.js';

/** One retention pass in a process of its own, for clean memory figures; prints the report's figures as JSON. */
const report = await runCleanup({ now: new Date(), dryRun: false, budgetMs: 10 * 60_000 });
console.log(
  JSON.stringify({
    examined: report.examined,
    deleted: report.deleted,
    kept: report.kept,
    durationMs: report.durationMs,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
