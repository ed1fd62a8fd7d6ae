import { segmentsOf } from '../../../captions/index.js';
import type { SpokenLine } from '../../../schemas/captions.js';
import { audioRateOf, type NarrationSegment, type Storyboard } from '../../../schemas/run.js';
import type { ProviderOutcome } from '../../providers/fallback.js';
import { resample } from '../../../render/sound/resample.js';
import { decodeWav, encodeWav } from '../../../render/sound/wav.js';
import { PipelineError } from '../../errors.js';
import { runVoice, speakLocally, type Speech } from './index.js';

/** Space kept between one line's end and the next line's start. */
const GAP_SEC = 0.1;

export interface PlacedNarration extends Speech {
  /** Lines said (with how long each is heard, for captions), and lines left out because the voice took longer than their scene allows. */
  spoken: SpokenLine[];
  dropped: NarrationSegment[];
}

/**
 * Each line spoken on its own and placed at its time in one mono track as long
 * as the video (silence between lines). The provider is settled on the first
 * line: if the cloud voice fails there, every line is spoken locally, so one
 * voice tells the whole story. A line whose speech would run into the next
 * line (or past the end) is left out whole, never cut.
 */
export async function speakNarration(
  storyboard: Storyboard,
  options: { signal?: AbortSignal; onRetry?: (message: string) => void } = {},
): Promise<ProviderOutcome<PlacedNarration>> {
  const segments = segmentsOf(storyboard);
  const voice = { ...options, language: storyboard.language };
  // The mix's rate, so nothing is resampled twice.
  const rate = audioRateOf(storyboard);
  const track = new Float32Array(Math.round(storyboard.durationSec * rate));
  const spoken: SpokenLine[] = [];
  const dropped: NarrationSegment[] = [];
  let outcome: Omit<ProviderOutcome<unknown>, 'value'> = { provider: 'local' };
  for (const [i, segment] of segments.entries()) {
    let speech: Speech;
    if (i === 0) {
      const first = await runVoice(segment.text, voice);
      outcome = { provider: first.provider, ...(first.fallbackReason ? { fallbackReason: first.fallbackReason } : {}) };
      speech = first.value;
    } else {
      speech =
        outcome.provider === 'local'
          ? await speakLocally(segment.text, storyboard.language)
          : (await runVoice(segment.text, voice)).value;
    }
    if (options.signal?.aborted) break;
    placeLine({ track, speech, segments, line: i, rate, spoken, dropped });
  }
  const wav = encodeWav({ sampleRate: rate, channels: [track] });
  return { ...outcome, value: { wav, durationSec: storyboard.durationSec, spoken, dropped } };
}

/**
 * Puts line `line`'s speech into the track at its time, and records it as
 * spoken; a speech that would run into the next line (or past the end) is
 * left out whole and recorded as dropped.
 */
export function placeLine(options: {
  track: Float32Array;
  speech: Speech;
  segments: NarrationSegment[];
  line: number;
  rate: number;
  spoken: SpokenLine[];
  dropped: NarrationSegment[];
}): void {
  const { track, segments, line, rate } = options;
  const segment = segments[line]!;
  const samples = monoAt(options.speech, rate);
  const start = Math.round(segment.startSec * rate);
  const nextStart = segments[line + 1] ? Math.round((segments[line + 1]!.startSec - GAP_SEC) * rate) : track.length;
  if (start + samples.length > Math.min(nextStart, track.length)) {
    options.dropped.push(segment);
    return;
  }
  track.set(samples, start);
  options.spoken.push({ ...segment, durationSec: samples.length / rate });
}

/** A speech WAV as mono samples at `rate`, with leading and trailing silence trimmed (TTS pads both ends). */
function monoAt(speech: Speech, rate: number): Float32Array {
  const audio = decodeWav(speech.wav);
  if (!audio)
    throw new PipelineError({
      errorClass: 'input',
      code: 'tts_invalid_audio',
      message: 'TTS returned audio that is not a PCM WAV',
      retryable: false,
    });
  const mono = resample(audio, rate, 1).channels[0]!;
  const threshold = 10 ** (-50 / 20);
  let first = 0;
  let last = mono.length;
  while (first < last && Math.abs(mono[first]!) < threshold) first++;
  while (last > first && Math.abs(mono[last - 1]!) < threshold) last--;
  return mono.subarray(
    Math.max(0, first - Math.round(0.02 * rate)),
    Math.min(mono.length, last + Math.round(0.05 * rate)),
  );
}
