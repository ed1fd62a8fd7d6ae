import { AppError } from '../errors.js';
import { isTerminal } from '../schemas/run.js';
import { getBinary, keys, type Id } from '../storage/index.js';
import { runNotFound } from './errors.js';
import { readRunState } from './state.js';

/** A run's two audio tracks: the narration and the soundtrack, each stored whole (WAV) in sirtrav-audio. */
export const AUDIO_TRACKS = ['voice', 'music'] as const;
export type AudioTrack = (typeof AUDIO_TRACKS)[number];

/**
 * A run's stored voice or music, for a browser to play before (or without) a
 * video. 404 for an unknown run or a track it does not have (no narration);
 * 409 `audio_not_ready` while the run is still making it.
 */
export async function readRunAudio(
  projectId: Id,
  runId: Id,
  track: AudioTrack,
): Promise<{ bytes: Uint8Array; contentType: string }> {
  const state = await readRunState(projectId, runId);
  if (!state) throw runNotFound(projectId, runId);
  const stored = await getBinary(
    track === 'voice' ? keys.voice(projectId, runId, 'wav') : keys.music(projectId, runId, 'wav'),
  );
  if (stored) return { bytes: stored.data, contentType: String(stored.metadata.contentType ?? 'audio/wav') };
  if (!isTerminal(state.status))
    throw new AppError(409, 'audio_not_ready', `Run ${runId} has not made its ${track} track yet.`, {
      details: { status: state.status, step: state.step },
    });
  throw new AppError(404, 'audio_not_found', `Run ${runId} has no ${track} track.`, { details: { track } });
}
