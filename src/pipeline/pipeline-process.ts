import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { z } from 'zod';
import { recordRenderer } from '../health/renderer.js';
import { errorFields, log } from '../log.js';
import { idSchema } from '../storage/index.js';
import { LOCAL_BLOBS_ENV, usingLocalBlobsFetch, useLocalBlobsFetchIfAsked } from '../storage/local-fetch.js';

const RUN_FLAG = '--sirtrav-pipeline';
const SEGMENT_FLAG = '--sirtrav-segment';
const runArgsSchema = z.tuple([z.literal(RUN_FLAG), idSchema, idSchema]).rest(z.string());
const segmentArgsSchema = z.tuple([
  z.literal(SEGMENT_FLAG),
  idSchema,
  idSchema,
  z.coerce.number().int().min(0).max(63),
]);

/**
 * glibc gives each thread that contends for malloc an arena of its own, and
 * keeps what it freed there: sharp's worker threads then hold ~100 MB more than
 * they use (measured: 608 → 523 MB peak for a 30 s 720p render). The setting
 * that stops it, MALLOC_ARENA_MAX, is read once when a process starts, and
 * Netlify starts functions with an environment the code cannot change. So a run
 * is rendered in a Node process of its own, started from the same bundle with
 * the setting in force. Where it is already in force (`npm start`), it runs here.
 */
export async function runPipelineProcess(
  entryUrl: string,
  projectId: string,
  runId: string,
  origin?: string,
): Promise<void> {
  if (process.env.MALLOC_ARENA_MAX) {
    const [{ runPipeline }, { learningHooks }] = await Promise.all([
      import('./orchestrator.js'),
      import('../learning/hooks.js'),
    ]);
    await runPipeline(idSchema.parse(projectId), idSchema.parse(runId), learningHooks, origin ? { origin } : {});
    return;
  }
  await runChild(entryUrl, [RUN_FLAG, projectId, runId, ...(origin ? [origin] : [])]);
}

/**
 * Renders one segment of a run in a process of its own, always: the frames are
 * drawn in JavaScript, so segments rendered by one machine at once (`npm start`)
 * need a process each to use its cores; and on Netlify it keeps the malloc setting above.
 */
export async function runSegmentProcess(
  entryUrl: string,
  projectId: string,
  runId: string,
  segment: number,
): Promise<void> {
  await runChild(entryUrl, [SEGMENT_FLAG, projectId, runId, String(segment)]);
}

async function runChild(entryUrl: string, args: string[]): Promise<void> {
  const entry = fileURLToPath(entryUrl);
  // From the sources (npm start, tests) the entry is TypeScript: the child loads it through tsx, as its parent did.
  const loader = entry.endsWith('.ts')
    ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href]
    : [];
  // --expose-gc: a render process gives back what it no longer needs between its phases (see collectGarbage).
  const child = spawn(process.execPath, [...loader, '--expose-gc', entry, ...args], {
    env: { ...process.env, MALLOC_ARENA_MAX: '2', ...(usingLocalBlobsFetch() ? { [LOCAL_BLOBS_ENV]: '1' } : {}) },
    // The child's stdin is a pipe that only this process holds: when this process dies, it closes and the child ends.
    stdio: ['pipe', 'inherit', 'inherit'],
  });
  const ended = await new Promise<number | string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  if (ended !== 0) throw new Error(`the render process ended with ${ended}`);
}

/**
 * In a process started by `runPipelineProcess` or `runSegmentProcess` (the
 * module at `entryUrl` run as the main script with a flag): does the work and
 * exits. Anywhere else (a worker thread included): does nothing.
 */
export async function servePipelineProcess(entryUrl: string): Promise<void> {
  // A worker thread loaded from the same bundle (the face detector's) shares the process's arguments: not its work.
  if (!isMainThread || process.argv[1] !== fileURLToPath(entryUrl)) return;
  const args = process.argv.slice(2);
  const run = runArgsSchema.safeParse(args);
  const segment = segmentArgsSchema.safeParse(args);
  if (!run.success && !segment.success) return;
  useLocalBlobsFetchIfAsked();
  // The process that started this one is gone (its end of stdin closed): nobody waits for this work, and its lease
  // lapses for the next invocation. Stop now, with ffmpeg (fed from here, it ends when its input closes).
  process.stdin.on('end', () => {
    log.warn('the invoking process is gone; the render process stops');
    process.exit(1);
  });
  process.stdin.resume();
  try {
    if (run.success) {
      const [, projectId, runId, origin] = run.data;
      log.info('render process started', { projectId, runId, mallocArenaMax: process.env.MALLOC_ARENA_MAX ?? null });
      const [{ runPipeline }, { learningHooks }] = await Promise.all([
        import('./orchestrator.js'),
        import('../learning/hooks.js'),
      ]);
      await recordRenderer().catch((error: unknown) =>
        log.warn('could not record what the renderer found', errorFields(error)),
      );
      await runPipeline(projectId, runId, learningHooks, origin ? { origin } : {});
    } else if (segment.success) {
      const [, projectId, runId, index] = segment.data;
      const { renderSegment } = await import('./segments/worker.js');
      await renderSegment(projectId, runId, index);
    }
    process.exit(0);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}
