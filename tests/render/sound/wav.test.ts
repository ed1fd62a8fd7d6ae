import { describe, expect, it } from 'vitest';
import { encodeWav, pcm16ToWav, wavDurationSec } from '../../../src/render/sound/wav.js';

describe('WAV', () => {
  it('encodes stereo float samples as 16-bit PCM with a correct header and duration', () => {
    const left = new Float32Array(44100).fill(0.5);
    const right = new Float32Array(44100).fill(-1);
    const wav = encodeWav({ sampleRate: 44100, channels: [left, right] });
    expect(wav.byteLength).toBe(44 + 44100 * 4);
    expect(new TextDecoder().decode(wav.subarray(0, 4))).toBe('RIFF');
    expect(wavDurationSec(wav)).toBe(1);
    const samples = new Int16Array(wav.buffer, 44, 4);
    expect([...samples]).toEqual([16383, -32768, 16383, -32768]);
  });

  it('wraps raw PCM and reads its duration back', () => {
    const wav = pcm16ToWav(new Uint8Array(22050 * 2 * 3), 22050);
    expect(wavDurationSec(wav)).toBe(3);
    expect(wavDurationSec(new Uint8Array(10))).toBeNull();
  });
});
