import { resolve } from 'node:path';
import { createProgressReporter } from '../src/portability/progress-reporter.js';
import { restoreSite } from '../src/portability/restore.js';
import { connectBlobs } from '../src/storage/connect.js';

/**
 * `npm run restore -- DIR [--overwrite]`: verifies the backup in DIR (every
 * file's size and SHA-256), then writes each blob back with its metadata. A
 * blob the site holds with other content is reported, not overwritten, unless
 * --overwrite. Exit code 1 when there were conflicts.
 */
const args = process.argv.slice(2);
const directory = args.find((arg) => !arg.startsWith('--'));
if (!directory) {
  console.error('Usage: npm run restore -- DIR [--overwrite]');
  process.exit(2);
}
const connection = await connectBlobs();
try {
  console.error(`Restoring ${resolve(directory)} into ${connection.target}`);
  const report = await restoreSite(resolve(directory), {
    overwrite: args.includes('--overwrite'),
    progress: createProgressReporter(),
    target: connection.target,
  });
  console.log(JSON.stringify({ event: 'done', ...report }));
  if (report.conflicts.length > 0) process.exitCode = 1;
} finally {
  await connection.close();
}
