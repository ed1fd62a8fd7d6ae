import { join } from 'node:path';
import { getConfig } from '../src/config.js';
import { authMode } from '../src/http/auth.js';
import { errorFields, log } from '../src/log.js';
import { startLocalServer } from '../src/server/local-server.js';

/**
 * `npm start`: the functions and a local Blobs sandbox on http://localhost:8888
 * (PORT overrides). With NETLIFY_BLOBS_CONTEXT set it uses those Blobs instead
 * of starting a sandbox. The watchdog (a function scheduled every minute on
 * Netlify) runs every half lease period here, so a run whose host died is taken
 * up again within about one and a half lease periods.
 */
// Configuration (retention days, limits, URLs) is validated before anything is served.
const config = getConfig();
const port = Number(process.env.PORT ?? 8888);
const server = await startLocalServer({
  port,
  host: process.env.HOST ?? '127.0.0.1',
  ...(process.env.NETLIFY_BLOBS_CONTEXT
    ? { blobs: 'inherited' as const }
    : { blobsDirectory: process.env.SIRTRAV_BLOBS_DIR ?? join(process.cwd(), '.netlify', 'sirtrav-blobs') }),
  everyMinuteMs: Math.max(500, Math.min(60_000, Math.floor(config.SIRTRAV_LEASE_TTL_MS / 2))),
});
const mode = authMode();
log.info('SirTrav local server listening', {
  url: `http://localhost:${port}`,
  auth: mode,
  functions: server.functions.map((fn) => fn.name),
});
if (mode === 'disabled') log.warn('SIRTRAV_API_SECRET is not set: auth is off (local development only)');
if (mode === 'misconfigured')
  log.error(
    'SIRTRAV_API_SECRET is not set and this process is not declared local (SIRTRAV_LOCAL=1, as `npm start` sets): every /api request answers 503',
  );

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('could not close the server cleanly', errorFields(error));
        process.exit(1);
      },
    );
  });
}
