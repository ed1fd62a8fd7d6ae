import { resolve } from 'node:path';
import { importLegacy } from '../src/portability/legacy.js';
import { createProgressReporter } from '../src/portability/progress-reporter.js';
import { connectBlobs } from '../src/server/connect-blobs.js';
import { parseId } from '../src/storage/index.js';

/**
 * `npm run import-legacy -- DIR [--project ID]`: imports the original SirTrav
 * layout in DIR (store folders like `.local-blobs`, or `/tmp/{runId}/…`
 * folders) into a new project (or an existing one), and prints the report:
 * every file taken, converted or refused, with the reason.
 */
const args = process.argv.slice(2);
const projectFlag = args.indexOf('--project');
const projectId = projectFlag >= 0 ? parseId(args[projectFlag + 1], 'project id') : undefined;
const directory = args.find((arg, i) => !arg.startsWith('--') && i !== projectFlag + 1);
if (!directory) {
  console.error('Usage: npm run import-legacy -- DIR [--project ID]');
  process.exit(2);
}
const connection = await connectBlobs();
try {
  console.error(`Importing ${resolve(directory)} into ${connection.target}`);
  const report = await importLegacy(resolve(directory), {
    ...(projectId ? { projectId } : {}),
    progress: createProgressReporter(),
  });
  console.log(JSON.stringify({ event: 'done', ...report }, null, process.stdout.isTTY ? 2 : undefined));
} finally {
  await connection.close();
}
