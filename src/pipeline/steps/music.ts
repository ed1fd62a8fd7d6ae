import { encodeWav } from '../../render/sound/wav.js';
import type { Storyboard } from '../../schemas/run.js';
import { getBinary, keys, putBinary } from '../../storage/index.js';
import { musicRequestFor, synthesizeMusic } from '../agents/music/synth.js';
import { recordStep, throwIfCancelled, type RunContext } from '../context.js';
import { musicFromSource } from './edit-audio.js';

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
  const copied = await musicFromSource(context);
  await context.reporter.started(
    'music',
    copied
      ? 'taking the soundtrack of the edited run'
      : `composing ${storyboard.musicStyle} for a ${storyboard.mood} mood`,
  );
  const wav = copied ?? encodeWav(await synthesizeMusic(musicRequestFor(storyboard, context.runId)));
  throwIfCancelled(context);
  await context.confirmLease();
  await putBinary(ref, wav, {
    contentType: 'audio/wav',
    provider: 'local-synth',
    durationSec: storyboard.durationSec,
    createdAt: new Date().toISOString(),
  });
  context.actions.push(copied ? 'music copied from the edited run' : 'music synthesised');
  await context.reporter.completed('music', `${storyboard.durationSec} s at ${storyboard.tempoBpm} bpm`);
  await recordStep(context, 'music', started, 'local-synth');
  return wav;
}
