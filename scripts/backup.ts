import { resolve } from 'node:path';
import { backupSite } from '../src/portability/backup.js';
import { createProgressReporter } from '../src/portability/progress-reporter.js';
import { connectBlobs } from '../src/server/connect-blobs.js';

/**
 * `npm run backup -- DIR`: every blob of every store of the site into DIR.
 * Interrupted? Run the same command again: it carries on from its checkpoint.
 * Which site: see src/server/connect-blobs.ts (local sandbox by default).
 */
const directory = process.argv[2];
if (!directory) {
  console.error(
    'Usage: npm run backup -- DIR   (NETLIFY_SITE_ID + NETLIFY_AUTH_TOKEN for a real site, else SIRTRAV_BLOBS_DIR or .netlify/sirtrav-blobs)',
  );
  process.exit(2);
}
const connection = await connectBlobs();
try {
  console.error(`Backing up ${connection.target} into ${resolve(directory)}`);
  const summary = await backupSite(resolve(directory), createProgressReporter());
  console.log(JSON.stringify({ event: 'done', ...summary }));
} finally {
  await connection.close();
}
