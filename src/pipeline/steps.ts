import { storeNarrationTiming } from '../captions/index.js';
import { listMedia, readMediaBytes, requireMedia } from '../media/library.js';
import { recordMediaUse } from '../media/usage.js';
import { chooseStyle } from '../learning/choose-style.js';
import { settleMemoryIndex } from '../learning/memory.js';
import { errorFields, log } from '../log.js';
import type { Media } from '../schemas/media.js';
import { asPreview, atFullQuality, type Agent, type RunState, type Storyboard } from '../schemas/run.js';
import { getBinary, keys, parseId, putBinary, readJSON, writeJSON, type Id } from '../storage/index.js';
import { storyboardDoc } from '../runs/storyboard.js';
import { updateRunState } from '../runs/state.js';
import { atStep } from '../runs/lifecycle.js';
import { laterStep } from './state-sync.js';
import { analysePhotos } from '../media/analyse.js';
import { runDirector } from './agents/director/index.js';
import { musicRequestFor, synthesizeMusic } from './agents/music/synth.js';
import { speakNarration } from './agents/voice/placed.js';
import { encodeWav } from '../render/sound/wav.js';
import { PipelineError, RunCancelledError } from './errors.js';
import type { RunProgressReporter } from './reporter.js';

export { storyboardDoc };

/** For progress reported from a callback that cannot wait: a lost event is logged, never an unhandled rejection. */
export const inBackground = (event: Promise<void>): void => {
  event.catch((error) => log.warn('progress event not written', errorFields(error)));
};

export interface RunContext {
  projectId: Id;
  runId: Id;
  state: RunState;
  reporter: RunProgressReporter;
  signal: AbortSignal;
  ffmpeg: string;
  /** What was done, for the failure episode. */
  actions: string[];
  providers: Partial<Record<Agent, string>>;
  /** Where the background function is reachable, to ask for segment invocations; without it a render stays whole. */
  origin?: string;
  /** Throws unless this invocation still holds the run's lease; called before storing an output. */
  confirmLease: () => Promise<void>;
}

export function throwIfCancelled(context: RunContext): void {
  if (context.signal.aborted) throw new RunCancelledError();
}

/** Records a finished step's timing and provider in the run state; `step` only moves forward (voice and music run beside compose's preparation). */
export async function recordStep(
  context: RunContext,
  agent: Agent,
  startedAt: number,
  provider: string,
  recorded: { storyboard?: Storyboard } = {},
): Promise<void> {
  const finishedAt = Date.now();
  context.providers[agent] = provider;
  const timing = { startedAt: new Date(startedAt).toISOString(), finishedAt: new Date(finishedAt).toISOString(), ms: finishedAt - startedAt };
  context.state = await updateRunState(context.projectId, context.runId, (state) => ({
    ...atStep(state, agent, context.reporter.overall(), { ...recorded, provider, timing }),
    step: laterStep(state.step, agent),
  }));
}

async function runMedia(context: RunContext): Promise<Media[]> {
  const ids = context.state.mediaIds;
  const media = ids.length > 0 ? await Promise.all(ids.map((id) => requireMedia(context.projectId, id))) : await listMedia(context.projectId);
  if (media.length === 0)
    throw new PipelineError({ errorClass: 'input', code: 'no_media', message: 'The run has no photos to use.', retryable: false, severity: 'medium' });
  return media;
}

interface Planned {
  value: Storyboard;
  provider: string;
  fallbackReason?: string | undefined;
}

/** The director's plan for this run's photos, request and what was learned of this project. */
async function planStoryboard(context: RunContext): Promise<Planned> {
  await context.reporter.started('director', 'planning the storyboard');
  const media = await runMedia(context);
  const memory = await settleMemoryIndex(context.projectId).catch((error: unknown) => {
    log.warn('memory index unreadable; choosing without it', errorFields(error));
    return null;
  });
  const style = chooseStyle(context.state.request, memory, context.runId);
  const facts = await analysePhotos(media, async (mediaId) => (await readMediaBytes(context.projectId, parseId(mediaId))).bytes);
  const outcome = await runDirector(
    { runId: context.runId, media, request: context.state.request, style, facts },
    { signal: context.signal, onRetry: (message) => inBackground(context.reporter.event('director', 'retrying', message)) },
  );
  if (outcome.fallbackReason) await context.reporter.event('director', 'fallback', `${outcome.fallbackReason}; used the local director`);
  return { value: { musicSeed: context.runId, ...outcome.value }, provider: outcome.provider, fallbackReason: outcome.fallbackReason };
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
  return { value: { ...atFullQuality(earlier.value), musicSeed: earlier.value.musicSeed ?? runId }, provider: `storyboard of ${runId}` };
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
  const { preview, storyboardFrom } = context.state.request;
  const planned = storyboardFrom ? await earlierStoryboard(context, storyboardFrom) : await planStoryboard(context);
  const outcome = { ...planned, value: preview ? asPreview(planned.value) : planned.value };
  // Two invocations racing here both planned the same run: the first stored plan wins.
  await writeJSON(ref, storyboardDoc, outcome.value, { onlyIfNew: true });
  const storyboard = (await readJSON(ref, storyboardDoc))!.value;
  await recordMediaUse(
    context.projectId,
    storyboard.shots.map((shot) => shot.mediaId),
  );
  context.actions.push(
    storyboardFrom ? `director took the storyboard of run ${storyboardFrom}` : `director planned ${storyboard.shots.length} shots with ${outcome.provider}`,
  );
  await context.reporter.completed(
    'director',
    `${storyboard.shots.length} shots, ${storyboard.mood} / ${storyboard.musicStyle}${preview ? ' (preview)' : ''}`,
    {
      shots: storyboard.shots.length,
      provider: outcome.provider,
    },
  );
  await recordStep(context, 'director', started, outcome.fallbackReason ? `local (fallback: ${outcome.fallbackReason})` : outcome.provider, { storyboard });
  return storyboard;
}

/** voice: the narration as a WAV in sirtrav-audio, or null when there is none. */
export async function voiceStep(context: RunContext, storyboard: Storyboard): Promise<Uint8Array | null> {
  if (!storyboard.narration.enabled) {
    await context.reporter.reused('voice', 'no narration requested');
    return null;
  }
  const ref = keys.voice(context.projectId, context.runId, 'wav');
  const stored = await getBinary(ref);
  if (stored) {
    await context.reporter.reused('voice', 'narration from an earlier attempt');
    context.providers.voice = String(stored.metadata.provider ?? 'stored');
    return stored.data;
  }
  const started = Date.now();
  await context.reporter.started('voice', 'speaking the narration');
  const outcome = await speakNarration(storyboard, {
    signal: context.signal,
    onRetry: (message) => inBackground(context.reporter.event('voice', 'retrying', message)),
  });
  throwIfCancelled(context);
  if (outcome.fallbackReason) await context.reporter.event('voice', 'fallback', `${outcome.fallbackReason}; used the local voice`);
  const provider = outcome.fallbackReason ? `local (fallback: ${outcome.fallbackReason})` : outcome.provider;
  await context.confirmLease();
  // Before the voice track: a stored voice (reused by a later attempt) always has its timing beside it.
  await storeNarrationTiming(context.projectId, context.runId, outcome.value.spoken);
  await putBinary(ref, outcome.value.wav, {
    contentType: 'audio/wav',
    provider: outcome.provider,
    durationSec: outcome.value.durationSec,
    createdAt: new Date().toISOString(),
  });
  const { spoken, dropped } = outcome.value;
  context.actions.push(`voice spoke ${spoken.length} lines with ${outcome.provider}`);
  await context.reporter.completed(
    'voice',
    `${spoken.length} lines of narration${dropped.length > 0 ? `; ${dropped.length} left out (longer than their scene)` : ''}`,
    { provider: outcome.provider },
  );
  await recordStep(context, 'voice', started, provider);
  return outcome.value.wav;
}

/** music: a synthesised track exactly as long as the video, seeded by the run that planned the storyboard. */
export async function musicStep(context: RunContext, storyboard: Storyboard): Promise<Uint8Array> {
  const ref = keys.music(context.projectId, context.runId, 'wav');
  const stored = await getBinary(ref);
  if (stored) {
    await context.reporter.reused('music', 'soundtrack from an earlier attempt');
    context.providers.music = 'local-synth';
    return stored.data;
  }
  const started = Date.now();
  await context.reporter.started('music', `composing ${storyboard.musicStyle} for a ${storyboard.mood} mood`);
  const wav = encodeWav(await synthesizeMusic(musicRequestFor(storyboard, context.runId)));
  throwIfCancelled(context);
  await context.confirmLease();
  await putBinary(ref, wav, { contentType: 'audio/wav', provider: 'local-synth', durationSec: storyboard.durationSec, createdAt: new Date().toISOString() });
  context.actions.push('music synthesised');
  await context.reporter.completed('music', `${storyboard.durationSec} s at ${storyboard.tempoBpm} bpm`);
  await recordStep(context, 'music', started, 'local-synth');
  return wav;
}
