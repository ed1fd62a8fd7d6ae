import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { recordRenderer } from '../health/renderer.js';
import { errorFields, log } from '../log.js';
import { idSchema } from '../storage/index.js';

const FLAG = '--sirtrav-pipeline';
const argsSchema = z.tuple([z.literal(FLAG), idSchema, idSchema]);

/**
 * glibc gives each thread that contends for malloc an arena of its own, and
 * keeps what it freed there: sharp's worker threads then hold ~100 MB more than
 * they use (measured: 608 → 523 MB peak for a 30 s 720p render). The setting
 * that stops it, MALLOC_ARENA_MAX, is read once when a process starts, and
 * Netlify starts functions with an environment the code cannot change. So a run
 * is rendered in a Node process of its own, started from the same bundle with
 * the setting in force. Where it is already in force (`npm start`), it runs here.
 */
export async function runPipelineProcess(entryUrl: string, projectId: string, runId: string): Promise<void> {
  if (process.env.MALLOC_ARENA_MAX) {
    const { runPipeline } = await import('./orchestrator.js');
    await runPipeline(idSchema.parse(projectId), idSchema.parse(runId));
    return;
  }
  const child = spawn(process.execPath, [fileURLToPath(entryUrl), FLAG, projectId, runId], {
    env: { ...process.env, MALLOC_ARENA_MAX: '2' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const ended = await new Promise<number | string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  if (ended !== 0) throw new Error(`the pipeline process ended with ${ended}`);
}

/**
 * In the process started by `runPipelineProcess` (the module at `entryUrl` run
 * as the main script with the pipeline flag): runs the pipeline and exits.
 * Anywhere else: does nothing.
 */
export async function servePipelineProcess(entryUrl: string): Promise<void> {
  if (process.argv[1] !== fileURLToPath(entryUrl)) return;
  const args = argsSchema.safeParse(process.argv.slice(2));
  if (!args.success) return;
  const [, projectId, runId] = args.data;
  log.info('render process started', { projectId, runId, mallocArenaMax: process.env.MALLOC_ARENA_MAX ?? null });
  const { runPipeline } = await import('./orchestrator.js');
  try {
    await recordRenderer().catch((error: unknown) => log.warn('could not record what the renderer found', errorFields(error)));
    await runPipeline(projectId, runId);
    process.exit(0);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}
