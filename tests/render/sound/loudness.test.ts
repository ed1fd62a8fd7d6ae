import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SOUNDTRACK_AAC } from '../../../src/render/sound/audio-graph.js';
import { writeSoundtrack } from '../../../src/render/sound/soundtrack.js';
import { synthesizeMusic } from '../../../src/pipeline/agents/music/synth.js';
import { speakLocally } from '../../../src/pipeline/agents/voice/index.js';
import { integratedLoudness, truePeakDb } from '../../../src/render/sound/loudness.js';
import { mixSoundtrack } from '../../../src/render/sound/mix.js';
import { decodeWav, encodeWav, type PcmAudio } from '../../../src/render/sound/wav.js';
import { AUDIO_RATE, PREVIEW_AUDIO_RATE } from '../../../src/schemas/run.js';
import { MOODS } from '../../../src/style/styles.js';
import { ebur128 } from '../../helpers/audio.js';
import { FFMPEG_BUILDS } from '../../helpers/ffmpeg-builds.js';

const dir = mkdtempSync(join(tmpdir(), 'sirtrav-loudness-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DURATION = 9;
const LINES = [
  { startSec: 1, text: 'It began in Lisbon, on a Sunday evening.' },
  { startSec: 5.2, text: 'Two days later, we were in Porto.' },
];

/** Narration as the voice step makes it: lines spoken locally and placed in a mono track, scaled by `gainDb` (a cloud voice at another level). */
async function narration(gainDb: number): Promise<PcmAudio> {
  const rate = 22050;
  const track = new Float32Array(DURATION * rate);
  for (const line of LINES) {
    const speech = decodeWav((await speakLocally(line.text)).wav)!;
    track.set(
      speech.channels[0]!.subarray(0, Math.round((DURATION - line.startSec) * rate)).map(
        (v) => v * 10 ** (gainDb / 20),
      ),
      Math.round(line.startSec * rate),
    );
  }
  return { sampleRate: rate, channels: [track] };
}

/** The soundtrack as compose makes it with `ffmpeg` (mixed, encoded to AAC, measured and corrected), read back by both builds. */
async function encodedFigures(
  music: PcmAudio,
  voice: PcmAudio | null,
  ffmpeg: string,
  name: string,
  sampleRate = AUDIO_RATE,
) {
  const out = join(dir, name);
  mkdirSync(out, { recursive: true });
  await writeSoundtrack(out, DURATION, { music: encodeWav(music), voice: voice ? encodeWav(voice) : null }, ffmpeg, {
    sampleRate,
  });
  return Object.fromEntries(
    Object.entries(FFMPEG_BUILDS).map(([build, reader]) => [build, ebur128(reader, join(out, SOUNDTRACK_AAC))]),
  );
}

describe('loudness', () => {
  it("a preview's soundtrack, mixed at half the rate from the same music, keeps the same promise on both ffmpeg builds", async () => {
    const music = await synthesizeMusic({
      durationSec: DURATION,
      mood: 'happy',
      musicStyle: 'pop',
      grid: { bpm: 112, beatOffsetSec: 0.5 },
      seed: 'r_draft',
    });
    const voice = await narration(0);
    for (const [build, ffmpeg] of Object.entries(FFMPEG_BUILDS)) {
      const out = `draft-${build}`;
      for (const [reader, measured] of Object.entries(
        await encodedFigures(music, voice, ffmpeg, out, PREVIEW_AUDIO_RATE),
      )) {
        expect(
          Math.abs(measured.integratedLufs + 16),
          `draft by ${build}, read by ${reader}: ${measured.integratedLufs} LUFS`,
        ).toBeLessThanOrEqual(1);
        expect(
          measured.truePeakDbtp,
          `draft by ${build}, read by ${reader}: ${measured.truePeakDbtp} dBTP`,
        ).toBeLessThanOrEqual(-1.5);
      }
      const probe = spawnSync(FFMPEG_BUILDS.debian, ['-hide_banner', '-i', join(dir, out, SOUNDTRACK_AAC)], {
        encoding: 'utf8',
      }).stderr;
      expect(probe, 'the AAC is at the preview rate').toMatch(/Audio: aac.*22050 Hz, stereo/);
    }
  }, 120_000);

  it('the meter reads what ffmpeg ebur128 reads', async () => {
    const music = await synthesizeMusic({
      durationSec: 8,
      mood: 'happy',
      musicStyle: 'pop',
      grid: { bpm: 112, beatOffsetSec: 0.5 },
      seed: 'r_meter',
    });
    const file = join(dir, 'meter.wav');
    writeFileSync(file, encodeWav(music));
    const reference = ebur128(FFMPEG_BUILDS.debian, file);
    expect(Math.abs(integratedLoudness(music) - reference.integratedLufs)).toBeLessThanOrEqual(0.3);
    expect(Math.abs(truePeakDb(music) - reference.truePeakDbtp)).toBeLessThanOrEqual(0.5);
  });

  const cases = [
    ...Object.entries(MOODS).map(([mood, info]) => ({ mood, style: info.musicStyle, voiceDb: null as number | null })),
    ...(['calm', 'happy', 'dramatic'] as const).map((mood) => ({
      mood,
      style: MOODS[mood].musicStyle,
      voiceDb: 0 as number | null,
    })),
    { mood: 'calm', style: 'acoustic', voiceDb: -24 }, // a quiet cloud voice
    { mood: 'energetic', style: 'rock', voiceDb: 8 }, // a hot one (clipped samples and all)
  ];
  it.each(cases)(
    '$mood/$style, voice $voiceDb dB: -16 LUFS ±1 and true peak ≤ -1.5 dBTP after AAC on both ffmpeg builds; voice ≥ 10 dB over the music',
    async ({ mood, style, voiceDb }) => {
      const music = await synthesizeMusic({
        durationSec: DURATION,
        mood,
        musicStyle: style,
        grid: { bpm: MOODS[mood as keyof typeof MOODS].bpm, beatOffsetSec: 0.5 },
        seed: `r_${mood}`,
      });
      const voice = voiceDb === null ? null : await narration(voiceDb);
      const { figures, stems } = await mixSoundtrack({ music, voice, durationSec: DURATION, withStems: true });
      expect(Math.abs(figures.integratedLufs + 16)).toBeLessThanOrEqual(0.3);
      for (const [build, ffmpeg] of Object.entries(FFMPEG_BUILDS)) {
        const readings = await encodedFigures(music, voice, ffmpeg, `${mood}-${voiceDb}-${build}`);
        for (const [reader, measured] of Object.entries(readings)) {
          expect(
            Math.abs(measured.integratedLufs + 16),
            `encoded by ${build}, read by ${reader}: ${measured.integratedLufs} LUFS`,
          ).toBeLessThanOrEqual(1);
          expect(
            measured.truePeakDbtp,
            `encoded by ${build}, read by ${reader}: ${measured.truePeakDbtp} dBTP`,
          ).toBeLessThanOrEqual(-1.5);
        }
      }
      if (voice) {
        // The stems exactly as they sit in the mix, measured by ffmpeg over each spoken line.
        writeFileSync(join(dir, 'voice-stem.wav'), encodeWav(stems!.voice));
        writeFileSync(join(dir, 'music-stem.wav'), encodeWav(stems!.music));
        for (const line of LINES) {
          const window = (file: string) => {
            const cut = join(dir, `cut-${file}`);
            spawnSync(FFMPEG_BUILDS.debian, [
              '-v',
              'error',
              '-y',
              '-ss',
              String(line.startSec),
              '-t',
              '1.6',
              '-i',
              join(dir, file),
              cut,
            ]);
            return ebur128(FFMPEG_BUILDS.debian, cut).integratedLufs;
          };
          // ebur128 prints tenths of a LU: the difference is worth as much, not the float subtraction's last bits.
          const difference = Math.round((window('voice-stem.wav') - window('music-stem.wav')) * 10) / 10;
          expect(difference, `"${line.text}": voice ${difference.toFixed(1)} dB over the music`).toBeGreaterThanOrEqual(
            10,
          );
        }
        expect(figures.voiceOverMusicDb!).toBeGreaterThanOrEqual(10);
      }
    },
    120_000,
  );
});
