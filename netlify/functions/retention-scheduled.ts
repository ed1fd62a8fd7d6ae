import type { Config } from '@netlify/functions';
import { runCleanup } from '../../src/retention/cleanup.js';

/**
 * Daily retention. Netlify gives a scheduled function 30 s: the pass stops at
 * 25 s, saves its cursor, and the next run resumes from it.
 */
export default async (): Promise<Response> => {
  const report = await runCleanup({ now: new Date(), dryRun: false, budgetMs: 25_000 });
  return new Response(JSON.stringify({ complete: report.complete, examined: report.examined }), {
    headers: { 'content-type': 'application/json' },
  });
};

export const config: Config = {
  schedule: '@daily',
};
