import { runPipeline } from '../src/pipeline/index.js';
import { parseId } from '../src/storage/index.js';

/**
 * Runs or resumes one run in this process, against the Blobs environment it
 * inherits (NETLIFY_BLOBS_CONTEXT): `tsx scripts/run-pipeline.ts <projectId> <runId>`.
 */
const [projectArg, runArg] = process.argv.slice(2);
const outcome = await runPipeline(parseId(projectArg, 'projectId'), parseId(runArg, 'runId'));
console.log(JSON.stringify({ outcome }));
process.exit(outcome === 'failed' ? 1 : 0);
