import { storeNarrationTiming } from '../../captions/index.js';
import { getBinary, keys, putBinary } from '../../storage/index.js';
import type { Storyboard } from '../../schemas/run.js';
import { speakNarration } from '../agents/voice/placed.js';
import { inBackground, recordStep, throwIfCancelled, type RunContext } from '../context.js';
import { voiceFromSource } from './edit-audio.js';

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
  // An edit keeps the source's voice, saying again only the lines it changed.
  const outcome =
    (await voiceFromSource(context, storyboard)) ??
    (await speakNarration(storyboard, {
      signal: context.signal,
      onRetry: (message) => inBackground(context.reporter.event('voice', 'retrying', message)),
    }));
  throwIfCancelled(context);
  if (outcome.fallbackReason)
    await context.reporter.event('voice', 'fallback', `${outcome.fallbackReason}; used the local voice`);
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
