import { join } from 'node:path';
import { getConfig } from '../src/config.js';
import { authMode } from '../src/http/auth.js';
import { errorFields, log } from '../src/log.js';
import { startLocalServer } from '../src/server/local-server.js';

/** `npm start`: the functions and a local Blobs sandbox on http://localhost:8888 (PORT overrides). */
// Configuration (retention days, limits, URLs) is validated before anything is served.
getConfig();
const port = Number(process.env.PORT ?? 8888);
const server = await startLocalServer({
  port,
  host: process.env.HOST ?? '127.0.0.1',
  blobsDirectory: process.env.SIRTRAV_BLOBS_DIR ?? join(process.cwd(), '.netlify', 'sirtrav-blobs'),
});
const mode = authMode();
log.info('SirTrav local server listening', { url: `http://localhost:${port}`, auth: mode, functions: server.functions.map((fn) => fn.name) });
if (mode === 'disabled') log.warn('SIRTRAV_API_SECRET is not set: auth is off (local development only)');

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
