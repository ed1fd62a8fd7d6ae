import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Cron } from 'croner';
import { loadFunctions } from '../src/server/functions.js';

/**
 * `npm run dev:netlify [-- --port 8890 …]`: `netlify dev` offline, plus what it
 * lacks offline: the schedules. Netlify runs scheduled functions only on
 * published deploys, so under `netlify dev` a run whose render was cut off
 * (the CLI stopped mid-render) stayed `running` until something called the
 * watchdog. Here each scheduled function is invoked on its own cron through
 * the dev server's `/.netlify/functions/<name>`, as Netlify's scheduler calls
 * it (a POST with `{"next_run"}`, its user agent). Arguments go to `netlify dev`.
 */
const ROOT = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const portAt = args.findIndex((arg) => arg === '--port' || arg.startsWith('--port='));
const port = portAt < 0 ? 8888 : Number(args[portAt]!.includes('=') ? args[portAt]!.split('=')[1] : args[portAt + 1]);

const netlify = spawn(
  join(ROOT, 'node_modules/.bin/netlify'),
  ['dev', '--offline', '--no-open', '--internal-disable-edge-functions', ...args],
  {
    cwd: ROOT,
    stdio: 'inherit',
  },
);

const scheduled = (await loadFunctions(join(ROOT, 'netlify/functions'))).filter((fn) => fn.schedule);
const jobs = scheduled.map(
  (fn) =>
    new Cron(fn.schedule!, { protect: true }, async (job: Cron) => {
      const url = `http://127.0.0.1:${port}/.netlify/functions/${fn.name}`;
      try {
        // The scheduler's user agent keeps `netlify dev` from answering with its "this is a scheduled function" help text.
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'user-agent': 'Netlify Clockwork', 'content-type': 'application/json' },
          body: JSON.stringify({ next_run: job.nextRun()?.toISOString() ?? null }),
          signal: AbortSignal.timeout(60_000),
        });
        await response.body?.cancel();
        if (!response.ok) console.warn(`[schedules] ${fn.name} answered ${response.status}`);
      } catch (error) {
        // Until the functions are bundled (about a minute after start) nothing answers: the next tick tries again.
        console.warn(`[schedules] ${fn.name}: ${(error as Error).message}`);
      }
    }),
);
console.log(
  `[schedules] ${scheduled.map((fn) => `${fn.name} (${fn.schedule})`).join(', ')} on http://127.0.0.1:${port}`,
);

const stop = () => {
  for (const job of jobs) job.stop();
};
netlify.once('exit', (code, signal) => {
  stop();
  process.exit(code ?? (signal ? 1 : 0));
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => netlify.kill(signal));
