import { afterEach, describe, expect, it, vi } from 'vitest';
import { wavDurationSec } from '../../src/render/sound/wav.js';
import { espeak, EspeakError } from '../../src/pipeline/agents/voice/espeak.js';

const LINE = 'Three days in Lisbon, from the river to the hills of Sintra.';
const VOICE = { voice: 'en-us', speed: 175 };

/** RMS of the 16-bit mono samples after the 44-byte header, 0..1. */
function rms(wav: Uint8Array): number {
  const samples = new Int16Array(
    wav.buffer.slice(wav.byteOffset + 44, wav.byteOffset + wav.byteLength - ((wav.byteLength - 44) % 2)),
  );
  let sum = 0;
  for (const sample of samples) sum += (sample / 32768) ** 2;
  return Math.sqrt(sum / samples.length);
}

afterEach(() => vi.restoreAllMocks());

describe('espeak-ng (wasm)', () => {
  it('speaks a line into an audible WAV without printing anything or leaving process listeners behind', async () => {
    const printed = [vi.spyOn(console, 'log'), vi.spyOn(console, 'warn'), vi.spyOn(console, 'error')];
    const listeners = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
    const wav = await espeak(LINE, VOICE);
    await espeak(LINE, VOICE);
    expect(new TextDecoder().decode(wav.subarray(0, 4))).toBe('RIFF');
    const seconds = wavDurationSec(wav)!;
    expect(seconds).toBeGreaterThan(2.5);
    expect(seconds).toBeLessThan(6);
    expect(rms(wav)).toBeGreaterThan(0.03);
    // Before: "wasm streaming compile failed … falling back to ArrayBuffer instantiation" on every call.
    for (const spy of printed) expect(spy).not.toHaveBeenCalled();
    expect([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')]).toEqual(
      listeners,
    );
  });

  it('honours the speaking rate', async () => {
    const normal = wavDurationSec(await espeak(LINE, { voice: 'en-us', speed: 175 }))!;
    const slow = wavDurationSec(await espeak(LINE, { voice: 'en-us', speed: 120 }))!;
    expect(slow / normal).toBeGreaterThan(1.25);
  });

  it('speaks text that looks like command-line options as text', async () => {
    const exit = vi.spyOn(process, 'exit');
    const wav = await espeak('-q --help -w /etc/passwd', VOICE);
    expect(wavDurationSec(wav)).toBeGreaterThan(1);
    expect(rms(wav)).toBeGreaterThan(0.03);
    expect(exit).not.toHaveBeenCalled();
  });

  it('turns an espeak-ng failure into an EspeakError, and the process goes on', async () => {
    const exit = vi.spyOn(process, 'exit');
    vi.spyOn(console, 'warn').mockImplementation(() => {}); // espeak-ng says why on stderr; the error carries the status
    await expect(espeak(LINE, { voice: 'xx-nope', speed: 175 })).rejects.toThrow(EspeakError);
    expect(exit).not.toHaveBeenCalled();
    expect(wavDurationSec(await espeak(LINE, VOICE))).toBeGreaterThan(2.5);
  });

  it('gives the same audio for the same text, also when calls overlap', async () => {
    const [a, b, c] = await Promise.all([espeak(LINE, VOICE), espeak(LINE, VOICE), espeak(LINE, VOICE)]);
    expect(Buffer.from(b!).equals(Buffer.from(a!))).toBe(true);
    expect(Buffer.from(c!).equals(Buffer.from(a!))).toBe(true);
  });
});
