import { runNotFound } from './errors.js';
import { AppError } from '../errors.js';
import type { Storyboard } from '../schemas/run.js';
import type { Id } from '../storage/index.js';
import { readArchive } from './archive.js';
import { readRunState } from './state.js';

/** What is known of a complete run's video, and the storyboard it was made from while the run's documents are kept. */
export interface RunVideo {
  bytes: number;
  durationSec: number;
  width: number;
  height: number;
  theme: string | null;
  /** Null once retention has archived the run: the storyboard went with its documents. */
  storyboard: Storyboard | null;
}

/**
 * The facts of a run's video, from its state or, once retention has archived
 * the run's documents, from its archive record: videos are kept as long as
 * they are stored, and the archive record (kept under this project) is what
 * authorises serving one to the project. 404 for an unknown run, 409 for one
 * that is not complete.
 */
export async function videoOf(projectId: Id, runId: Id): Promise<RunVideo> {
  const state = await readRunState(projectId, runId);
  if (state) {
    if (state.status !== 'complete')
      throw new AppError(
        409,
        'run_not_complete',
        `Run ${runId} is ${state.status}; the video exists once it is complete.`,
        {
          details: { status: state.status },
        },
      );
    if (!state.outputs.video)
      throw new AppError(
        409,
        'no_video',
        `Run ${runId} made a plan only (storyboard, narration and music): render it with storyboardFrom or editOf.`,
        { details: { status: state.status, plan: true } },
      );
    const { bytes, durationSec, width, height } = state.outputs.video;
    return { bytes, durationSec, width, height, theme: state.storyboard.theme, storyboard: state.storyboard };
  }
  const archived = await readArchive(projectId, runId);
  if (!archived) throw runNotFound(projectId, runId);
  if (archived.status !== 'complete' || !archived.video)
    throw new AppError(409, 'run_not_complete', `Run ${runId} ended ${archived.status}; it has no video.`, {
      details: { status: archived.status },
    });
  return { ...archived.video, theme: archived.storyboard?.theme ?? null, storyboard: null };
}
