export interface AudioGraphInput {
  durationSec: number;
  /** Input index of the soundtrack: music and voice already mixed, ducked and normalised (see mixSoundtrack). */
  soundtrackInput: number;
}

const n = (value: number) => Number(value.toFixed(4)).toString();

/**
 * The soundtrack's part of the filter graph, ending in [aout]. Mixing,
 * ducking and loudness are done on the samples beforehand (the same on every
 * ffmpeg build, and measured before encoding), so ffmpeg only passes the mix
 * through at exactly the video's length.
 */
export function buildAudioGraph(input: AudioGraphInput): string[] {
  return [`[${input.soundtrackInput}:a]aformat=sample_fmts=fltp:sample_rates=44100:channel_layouts=stereo,apad,atrim=0:${n(input.durationSec)}[aout]`];
}
