export interface AudioGraphInput {
  durationSec: number;
  /** Input index of the music, and of the voice if there is narration. */
  musicInput: number;
  voiceInput: number | null;
  /** Seconds of silence before the narration starts. */
  voiceDelaySec?: number;
}

const n = (value: number) => Number(value.toFixed(4)).toString();

/**
 * The soundtrack's part of the filter graph, ending in [aout]: music is ducked
 * under the voice with a sidechain compressor and fades out.
 */
export function buildAudioGraph(input: AudioGraphInput): string[] {
  const d = input.durationSec;
  const lines: string[] = [];
  const musicFade = Math.min(2, d / 3);
  const musicTail = `afade=t=out:st=${n(d - musicFade)}:d=${n(musicFade)}`;
  lines.push(`[${input.musicInput}:a]aresample=44100,aformat=sample_fmts=fltp:channel_layouts=stereo,volume=0.8[music]`);
  if (input.voiceInput === null) {
    lines.push(`[music]${musicTail},atrim=0:${n(d)}[aout]`);
  } else {
    const delayMs = Math.round((input.voiceDelaySec ?? 0.6) * 1000);
    lines.push(`[${input.voiceInput}:a]aresample=44100,aformat=sample_fmts=fltp:channel_layouts=stereo,adelay=${delayMs}|${delayMs},apad,atrim=0:${n(d)},asplit=2[vkey][vmix]`);
    lines.push('[music][vkey]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400[ducked]');
    lines.push(`[ducked][vmix]amix=inputs=2:duration=first:dropout_transition=0,volume=1.8,${musicTail},atrim=0:${n(d)}[aout]`);
  }
  return lines;
}
