import { analysePhotos, isCurrent, type PhotoFacts } from '../../media/analyse.js';
import { measureClipLoudness } from '../../media/clip-loudness.js';
import { measureClipMotion } from '../../media/clip-motion.js';
import { findFfmpeg } from '../../media/find-ffmpeg.js';
import type { ClipActivity } from '../agents/director/clip-moment.js';
import { joinLivePhotos, listMedia, readMediaBytes, requireMedia, saveAnalysis } from '../../media/library.js';
import { recordMediaUse } from '../../media/usage.js';
import { chooseStyle } from '../../learning/choose-style.js';
import { settleMemoryIndex } from '../../learning/memory.js';
import { errorFields, log } from '../../log.js';
import { editedStoryboard } from '../../runs/edit-source.js';
import { storyboardDoc } from '../../runs/storyboard.js';
import { AppError } from '../../errors.js';
import type { Edit } from '../../schemas/edit.js';
import type { Media } from '../../schemas/media.js';
import { asPreview, atFullQuality, shotMediaIds, type Storyboard } from '../../schemas/run.js';
import { keys, parseId, readJSON, writeJSON, type Id } from '../../storage/index.js';
import { runDirector } from '../agents/director/index.js';
import { inBackground, recordStep, type RunContext } from '../context.js';
import { PipelineError } from '../errors.js';

async function runMedia(context: RunContext): Promise<Media[]> {
  const ids = context.state.mediaIds;
  const media =
    ids.length > 0
      ? joinLivePhotos(await Promise.all(ids.map((id) => requireMedia(context.projectId, id))))
      : await listMedia(context.projectId);
  if (media.length === 0)
    throw new PipelineError({
      errorClass: 'input',
      code: 'no_media',
      message: 'The run has no photos to use.',
      retryable: false,
      severity: 'medium',
    });
  return media;
}

/**
 * Photos whose stored analysis was out of date were measured again for this run: their fresh analysis is stored
 * with them, so the next run reads it (see saveAnalysis). A failure costs only the next run's time.
 */
async function saveAnalyses(projectId: Id, media: Media[], facts: Map<string, PhotoFacts | null>): Promise<void> {
  for (const item of media) {
    const fresh = facts.get(item.mediaId);
    if (item.kind === 'clip' || isCurrent(item.analysis) || !fresh) continue;
    const { mediaId: _, ...analysis } = fresh;
    await saveAnalysis(projectId, item.mediaId, analysis).catch((error: unknown) =>
      log.warn('could not store a photo analysis measured again', { mediaId: item.mediaId, ...errorFields(error) }),
    );
  }
}

interface Planned {
  value: Storyboard;
  provider: string;
  fallbackReason?: string | undefined;
}

/** The director's plan for this run's photos, request and what was learned of this project. */
async function planWithDirector(context: RunContext): Promise<Planned> {
  await context.reporter.started('director', 'planning the storyboard');
  const media = await runMedia(context);
  const memory = await settleMemoryIndex(context.projectId).catch((error: unknown) => {
    log.warn('memory index unreadable; choosing without it', errorFields(error));
    return null;
  });
  const style = chooseStyle(context.state.request, memory, context.runId);
  const load = async (mediaId: string) => (await readMediaBytes(context.projectId, parseId(mediaId))).bytes;
  const facts = await analysePhotos(
    media.filter((item) => item.kind !== 'clip'),
    load,
  );
  await saveAnalyses(context.projectId, media, facts);
  const clips = await clipActivity(media, load);
  const outcome = await runDirector(
    { runId: context.runId, media, request: context.state.request, style, facts, clips },
    {
      signal: context.signal,
      onRetry: (message) => inBackground(context.reporter.event('director', 'retrying', message)),
    },
  );
  if (outcome.fallbackReason)
    await context.reporter.event('director', 'fallback', `${outcome.fallbackReason}; used the local director`);
  return {
    value: { musicSeed: context.runId, ...outcome.value },
    provider: outcome.provider,
    fallbackReason: outcome.fallbackReason,
  };
}

/** Each clip's sound and motion over time, for its moment; a clip that cannot be measured shows its middle. */
async function clipActivity(
  media: Media[],
  load: (mediaId: string) => Promise<Uint8Array>,
): Promise<Map<string, ClipActivity | null>> {
  const activity = new Map<string, ClipActivity | null>();
  const ffmpeg = (await findFfmpeg())?.path;
  const motions = media.flatMap((m) => (m.kind === 'clip' ? [m.mediaId] : m.liveClip ? [m.liveClip.mediaId] : []));
  for (const mediaId of motions) {
    if (!ffmpeg) break;
    const measured = await load(mediaId)
      .then(async (bytes) => {
        const [sound, picture] = await Promise.all([
          measureClipLoudness(ffmpeg, bytes),
          measureClipMotion(ffmpeg, bytes),
        ]);
        if (!sound && !picture) return null;
        return {
          stepSec: sound?.stepSec ?? picture!.stepSec,
          rms: sound?.rms ?? [],
          ...(picture ? { motion: picture.motion } : {}),
        };
      })
      .catch((error: unknown) => {
        log.warn('clip not measured; its middle is shown', { mediaId, ...errorFields(error) });
        return null;
      });
    activity.set(mediaId, measured);
  }
  return activity;
}

/** An earlier run's storyboard, unchanged, at the quality it names (a preview's is drawn in full); its music keeps its seed. */
async function earlierStoryboard(context: RunContext, runId: Id): Promise<Planned> {
  await context.reporter.started('director', `using the storyboard of run ${runId}`);
  const earlier = await readJSON(keys.runStoryboard(context.projectId, runId), storyboardDoc);
  if (!earlier)
    throw new PipelineError({
      errorClass: 'input',
      code: 'storyboard_not_found',
      message: `Run ${runId} has no storyboard in this project.`,
      retryable: false,
      severity: 'medium',
    });
  return {
    value: { ...atFullQuality(earlier.value), musicSeed: earlier.value.musicSeed ?? runId },
    provider: `storyboard of ${runId}`,
  };
}

/** An edit's storyboard: its source's with the edits applied (checked again: the source may have gone since the start). */
async function editStoryboard(context: RunContext, editOf: Id, edits: Edit[]): Promise<Planned> {
  await context.reporter.started('director', `applying ${edits.length} edits to run ${editOf}`);
  const value = await editedStoryboard(context.projectId, editOf, edits).catch((error: unknown) => {
    throw new PipelineError({
      errorClass: 'input',
      code: error instanceof AppError ? error.code : 'edit_invalid',
      message: error instanceof Error ? error.message : String(error),
      retryable: false,
      severity: 'medium',
    });
  });
  return { value: { ...value, musicSeed: value.musicSeed ?? editOf }, provider: `edit of ${editOf}` };
}

/** director: the storyboard, planned once and stored before anything uses it. */
export async function directorStep(context: RunContext): Promise<Storyboard> {
  const ref = keys.runStoryboard(context.projectId, context.runId);
  const stored = await readJSON(ref, storyboardDoc);
  if (stored) {
    await context.reporter.reused('director', 'storyboard from an earlier attempt');
    context.providers.director = stored.value.provider;
    return stored.value;
  }
  const started = Date.now();
  const { preview, storyboardFrom, editOf, edits } = context.state.request;
  const planned =
    editOf && edits
      ? await editStoryboard(context, editOf, edits)
      : storyboardFrom
        ? await earlierStoryboard(context, storyboardFrom)
        : await planWithDirector(context);
  const outcome = { ...planned, value: preview ? asPreview(planned.value) : planned.value };
  // Two invocations racing here both planned the same run: the first stored plan wins.
  await writeJSON(ref, storyboardDoc, outcome.value, { onlyIfNew: true });
  const storyboard = (await readJSON(ref, storyboardDoc))!.value;
  await recordMediaUse(context.projectId, shotMediaIds(storyboard.shots));
  context.actions.push(
    editOf
      ? `director applied ${edits?.length ?? 0} edits to the storyboard of run ${editOf}`
      : storyboardFrom
        ? `director took the storyboard of run ${storyboardFrom}`
        : `director planned ${storyboard.shots.length} shots with ${outcome.provider}`,
  );
  await context.reporter.completed(
    'director',
    `${storyboard.shots.length} shots, ${storyboard.mood} / ${storyboard.musicStyle}${preview ? ' (preview)' : ''}`,
    {
      shots: storyboard.shots.length,
      provider: outcome.provider,
    },
  );
  await recordStep(
    context,
    'director',
    started,
    outcome.fallbackReason ? `local (fallback: ${outcome.fallbackReason})` : outcome.provider,
    { storyboard },
  );
  return storyboard;
}
