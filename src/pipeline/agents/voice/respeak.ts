import { segmentsOf } from '../../../captions/index.js';
import type { SpokenLine } from '../../../schemas/captions.js';
import { audioRateOf, type NarrationSegment, type Storyboard } from '../../../schemas/run.js';
import { decodeWav, encodeWav } from '../../../render/sound/wav.js';
import type { ProviderOutcome } from '../../providers/fallback.js';
import { runVoice, speakLocally } from './index.js';
import { placeLine, type PlacedNarration } from './placed.js';

export interface EarlierVoice {
  /** The earlier run's voice track, as long as the video, at the storyboard's rate. */
  wav: Uint8Array;
  /** The lines it said and how long each is heard. */
  spoken: SpokenLine[];
  /** The voice that said them: the new lines are said by the same one. */
  provider: string;
}

/**
 * The earlier voice track with only the lines in `changed` said again: each
 * old line's sound is silenced and the new words placed at the same time, so
 * every other line is heard exactly as before. A new line that would run into
 * the next one is left out, as speakNarration leaves it out. Null when the
 * earlier track does not fit this storyboard (another rate or length).
 */
export async function respeakLines(options: {
  storyboard: Storyboard;
  earlier: EarlierVoice;
  changed: ReadonlySet<number>;
  signal?: AbortSignal;
}): Promise<ProviderOutcome<PlacedNarration> | null> {
  const { storyboard, earlier, changed, signal } = options;
  const rate = audioRateOf(storyboard);
  const decoded = decodeWav(earlier.wav);
  const length = Math.round(storyboard.durationSec * rate);
  if (!decoded || decoded.sampleRate !== rate || decoded.channels.length !== 1) return null;
  if (Math.abs(decoded.channels[0]!.length - length) > 1) return null;
  const track = Float32Array.from(decoded.channels[0]!.subarray(0, length));
  const segments = segmentsOf(storyboard);
  const spoken = earlier.spoken.filter((line) => !changed.has(segments.findIndex((s) => s.startSec === line.startSec)));
  for (const line of earlier.spoken) {
    if (spoken.includes(line)) continue;
    const start = Math.round(line.startSec * rate);
    track.fill(0, start, Math.min(track.length, start + Math.ceil(line.durationSec * rate)));
  }
  const dropped: NarrationSegment[] = [];
  for (const i of [...changed].sort((a, b) => a - b)) {
    const segment = segments[i]!;
    const speech =
      earlier.provider === 'local'
        ? await speakLocally(segment.text)
        : (await runVoice(segment.text, { signal })).value;
    placeLine({ track, speech, segments, line: i, rate, spoken, dropped });
  }
  spoken.sort((a, b) => a.startSec - b.startSec);
  const wav = encodeWav({ sampleRate: rate, channels: [track] });
  return {
    provider: earlier.provider,
    value: { wav, durationSec: storyboard.durationSec, spoken, dropped },
  };
}
