import { readFile } from 'node:fs/promises';
import { getConfig } from '../../config.js';
import { errorFields, log, withLogContext } from '../../log.js';
import { findFfmpeg } from '../../media/find-ffmpeg.js';
import { readMediaBytes } from '../../media/library.js';
import { readRunState } from '../../runs/state.js';
import { isTerminal } from '../../schemas/run.js';
import { getMetadata, keys, parseId, putBinary, readJSON, type Id } from '../../storage/index.js';
import { ComposeWorkspace } from '../../render/video/workspace.js';
import { classifyError, ffmpegMissing, RenderCancelledError } from '../errors.js';
import { acquireLeaseAt, LeaseLostError } from '../lease.js';
import { collectGarbage } from '../gc.js';
import { storyboardDoc } from '../../runs/storyboard.js';
import { watchRun } from '../watch-run.js';
import { changeSegmentStatus, readSegmentPlan, readSegmentStatus } from './status.js';

/** How often a rendering segment reports the frames it has done. */
const REPORT_MS = 1000;

export type SegmentOutcome = 'done' | 'busy' | 'skipped' | 'stopped' | 'failed';

/**
 * Renders one segment of a run's picture: frames [from, to) of the stored
 * plan, from the stored storyboard and the project's photos, to its own blob.
 * It holds the segment's lease while it works, so a second invocation for the
 * same segment does nothing, and one that died is redone by the next after the
 * lease lapses. It watches the run: a cancel or an ended run stops it at once.
 * Its status document says how far it got, how many tries it took, and why it
 * failed; the coordinator reads that and decides.
 */
export async function renderSegment(projectId: Id, runId: Id, index: number): Promise<SegmentOutcome> {
  return withLogContext({ projectId, runId, segment: index }, async () => {
    const lease = await acquireLeaseAt(
      keys.segmentLease(projectId, runId, index),
      `segment ${index} of run ${runId}`,
      getConfig().SIRTRAV_LEASE_TTL_MS,
    );
    if (!lease) return 'busy';
    const controller = new AbortController();
    lease.onLost(() => controller.abort(new LeaseLostError(`segment ${index} of run ${runId}`)));
    const stopWatching = watchRun(projectId, runId, controller);
    let workspace: ComposeWorkspace | undefined;
    let reporting: (() => Promise<void>) | undefined;
    try {
      const [state, plan, stored, status] = await Promise.all([
        readRunState(projectId, runId),
        readSegmentPlan(projectId, runId),
        readJSON(keys.runStoryboard(projectId, runId), storyboardDoc),
        readSegmentStatus(projectId, runId, index),
      ]);
      const range = plan?.segments[index];
      if (!state || isTerminal(state.status) || state.cancelRequested || !plan || !stored || !range) return 'skipped';
      if (status?.state === 'done' && (await getMetadata(keys.segmentVideo(runId, index)))?.projectId === projectId)
        return 'done';
      const frames = range.to - range.from;
      await changeSegmentStatus(projectId, runId, index, (current) => ({
        state: 'rendering',
        attempts: (current?.attempts ?? 0) + 1,
        framesDone: 0,
        frames,
      }));
      const ffmpeg = await findFfmpeg();
      if (!ffmpeg) throw ffmpegMissing();
      const started = Date.now();
      const storyboard = stored.value;
      workspace = await ComposeWorkspace.create();
      const load = (mediaId: string) => readMediaBytes(projectId, parseId(mediaId));
      let framesDone = 0;
      reporting = reportProgress(() =>
        changeSegmentStatus(projectId, runId, index, (current) => ({ ...current!, framesDone })),
      );
      // The frames start at once: each shot's wait for its photo, so the later photos are prepared while the first are drawn.
      const [, file] = await Promise.all([
        // Once the last photo is prepared, its decoded pixels are garbage and the encoder can have the room.
        workspace
          .prepareShots(storyboard, load, undefined, ComposeWorkspace.shotsFor(storyboard, range))
          .then(collectGarbage),
        workspace.renderPicture(storyboard, range, ffmpeg.path, {
          signal: controller.signal,
          onProgress: (fraction) => (framesDone = Math.round(fraction * frames)),
        }),
      ]);
      await reporting();
      const bytes = new Uint8Array(await readFile(file));
      await lease.confirm();
      await putBinary(keys.segmentVideo(runId, index), bytes, {
        contentType: 'video/mp4',
        runId,
        projectId,
        segment: index,
        bytes: bytes.byteLength,
        createdAt: new Date().toISOString(),
      });
      const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
      await changeSegmentStatus(projectId, runId, index, (current) => ({
        ...current!,
        state: 'done',
        framesDone: frames,
        bytes: bytes.byteLength,
        renderMs: Date.now() - started,
        peakRssMb,
      }));
      log.info('segment rendered', { frames, bytes: bytes.byteLength, ms: Date.now() - started, peakRssMb });
      return 'done';
    } catch (error) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
      if (
        reason instanceof LeaseLostError ||
        reason instanceof RenderCancelledError ||
        (reason instanceof Error && reason.name === 'RunSupersededError')
      ) {
        log.info('segment stopped', { reason: (reason as Error).name });
        return 'stopped';
      }
      const failure = classifyError(error);
      log.error('segment failed', { code: failure.code, ...errorFields(error) });
      await changeSegmentStatus(projectId, runId, index, (current) => ({
        ...(current ?? { attempts: 1, framesDone: 0, frames: 1 }),
        state: 'failed',
        error: { code: failure.code, message: failure.message.slice(0, 500) },
      })).catch((failed: unknown) => log.warn('segment failure not recorded', errorFields(failed)));
      return 'failed';
    } finally {
      await reporting?.().catch(() => undefined);
      stopWatching();
      await workspace?.dispose();
      await lease.release();
    }
  });
}

/**
 * Calls `write` every REPORT_MS, one call at a time; a failed write is only
 * logged (progress is advisory). The function returned stops it and waits for
 * a write in flight, so nothing lands after the final status.
 */
function reportProgress(write: () => Promise<void>): () => Promise<void> {
  let inFlight: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    inFlight = inFlight
      .then(write)
      .catch((error: unknown) => log.warn('segment progress not stored', errorFields(error)));
  }, REPORT_MS);
  return async () => {
    clearInterval(timer);
    await inFlight;
  };
}
