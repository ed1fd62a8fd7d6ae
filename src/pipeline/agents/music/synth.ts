import { setImmediate } from 'node:timers/promises';
import { AUDIO_RATE, type MusicGrid, type Storyboard } from '../../../schemas/run.js';
import type { PcmAudio } from '../../../render/sound/wav.js';
import { seededRandom } from '../../../random.js';
import { knownMusicStyle, moodInfo } from '../../../style/styles.js';
import { arrange, MODES, styleSound, type Section, type StyleSound } from './arrangement.js';
import { Track } from './instruments.js';

export const MUSIC_SAMPLE_RATE = AUDIO_RATE;

export interface MusicRequest {
  durationSec: number;
  mood: string;
  musicStyle: string;
  /** Tempo and first beat: the director has put the cuts on this grid, so the notes must fall on it too. */
  grid: MusicGrid;
  /** The run id: the same run always gets the same track, so a resumed run is identical. */
  seed: string;
}

/** What a storyboard asks of its music; seeded by the run that planned it (`musicSeed`), else by `runId`. */
export function musicRequestFor(storyboard: Storyboard, runId: string): MusicRequest {
  return {
    durationSec: storyboard.durationSec,
    mood: storyboard.mood,
    musicStyle: storyboard.musicStyle,
    grid: storyboard.music ?? { bpm: storyboard.tempoBpm, beatOffsetSec: 0 },
    seed: storyboard.musicSeed ?? runId,
  };
}

interface Song {
  track: Track;
  sound: StyleSound;
  scale: number[];
  key: number;
  beatSec: number;
  random: () => number;
}

/** The notes of the chord on scale degree `degree` (a seventh when `seventh`), as MIDI numbers. */
function chordTones(song: Song, degree: number, lift: number, seventh = false): number[] {
  return [0, 2, 4, ...(seventh ? [6] : [])].map((step) => {
    const index = degree + step;
    return song.key + lift + song.scale[index % 7]! + 12 * Math.floor(index / 7);
  });
}

/** The chord with its lowest `times` notes moved up an octave. */
function invert(chord: number[], times: number): number[] {
  const notes = [...chord];
  for (let i = 0; i < times; i++) notes.push(notes.shift()! + 12);
  return notes;
}

/** A two-bar motif over the section's rhythm: a seeded walk on the scale, landing on chord tones on the beat. */
function motif(song: Song, section: Section): number[] {
  const notes: number[] = [];
  let step = 7 + Math.floor(song.random() * 5);
  for (let i = 0; i < 16; i++) {
    step = Math.max(5, Math.min(14, step + Math.floor(song.random() * 5) - 2));
    if (i % 4 === 0 && step % 2 === 1) step += song.random() < 0.5 ? 1 : -1;
    notes.push(section.leadRhythm[i % 8] ? step : -1);
  }
  return notes;
}

function playBar(song: Song, section: Section, barInSection: number, startSec: number, melody: number[]): void {
  const { track, sound, beatSec } = song;
  const barSec = beatSec * 4;
  const degree = section.progression[barInSection % section.progression.length]!;
  const chord = invert(chordTones(song, degree, section.lift, sound.pad.level > 0.1), section.inversion);
  if (section.layers.pad && sound.pad.level > 0) {
    for (const [i, tone] of chord.entries())
      track.tone(startSec, barSec + 0.1, tone + 12, sound.pad.level, (i / Math.max(1, chord.length - 1)) * 1.2 - 0.6, {
        attackSec: sound.pad.attackSec,
        decayPerSec: 0.2,
        harmonics: sound.pad.harmonics,
      });
  }
  if (section.layers.bass) {
    const each = barSec / sound.bass.perBar;
    for (let k = 0; k < sound.bass.perBar; k++) {
      const root = Math.min(...chord) - 12;
      const figure = [
        0,
        section.bassFigure === 1 && k % 2 === 1 ? 7 : 0,
        section.bassFigure === 2 && k % 4 === 2 ? 12 : 0,
      ];
      const tone = root + Math.max(...figure) + (sound.bass.perBar >= 8 && k % 4 === 3 ? 7 : 0);
      track.tone(startSec + k * each, each * 0.95, tone, sound.bass.level, 0, {
        attackSec: 0.008,
        decayPerSec: 2.5,
        harmonics: [1, 0.4, 0.1],
      });
    }
  }
  if (sound.drums === 'soft' && section.layers.arp) {
    // A strummed chord on beats 1 and 3, strings 18 ms apart.
    for (const beat of [0, 2])
      for (const [i, tone] of chord.entries())
        track.tone(
          startSec + beat * beatSec + i * 0.018,
          beatSec * 2,
          tone + 12,
          sound.arp.level * 0.6,
          i * 0.2 - 0.2,
          {
            attackSec: 0.003,
            decayPerSec: 2.5,
            harmonics: sound.arp.harmonics,
          },
        );
  }
  if (section.layers.arp && sound.arp.level > 0) {
    const each = beatSec / sound.arp.perBeat;
    for (let k = 0; k < 4 * sound.arp.perBeat; k++) {
      if (!section.arpMask[k % section.arpMask.length]) continue;
      const pick = section.arpPattern[k % section.arpPattern.length]! % chord.length;
      const octave = section.arpOctave + 12 * (Math.floor(k / section.arpPattern.length) % 2);
      const accent = k % sound.arp.perBeat === 0 ? 1 : 0.7;
      track.tone(startSec + k * each, each * 2, chord[pick]! + octave, sound.arp.level * accent, (k % 2) * 0.7 - 0.35, {
        attackSec: 0.004,
        decayPerSec: sound.arp.decay,
        harmonics: sound.arp.harmonics,
      });
    }
  }
  if (section.layers.lead && sound.lead.level > 0) {
    const half = (barInSection % 2) * 8;
    for (let i = 0; i < 8; i++) {
      const step = melody[half + i]!;
      if (step < 0) continue;
      const tone = song.key + section.lift + 12 + song.scale[step % 7]! + 12 * Math.floor(step / 7);
      const length = melody[half + i + 1] === -1 ? beatSec : beatSec / 2;
      track.tone(startSec + (i * beatSec) / 2, length, tone, sound.lead.level, 0.15, {
        attackSec: 0.02,
        decayPerSec: 1.5,
        harmonics: sound.lead.harmonics,
        vibrato: sound.lead.vibrato,
      });
    }
  }
  if (section.layers.drums)
    playDrums(song, startSec, barInSection === section.bars - 1, barInSection === 0, Math.min(...chord));
}

function playDrums(song: Song, startSec: number, fill: boolean, sectionStart: boolean, root: number): void {
  const { track, sound, beatSec } = song;
  const at = (beat: number) => startSec + beat * beatSec;
  switch (sound.drums) {
    case 'none':
      return;
    case 'soft':
      // A shaker, no kit: the guitar carries the beat.
      for (let e = 0; e < 8; e++)
        track.hit(at(e / 2), 0.08, e % 2 === 0 ? 0.035 : 0.02, 40, { bright: true, pan: 0.4 });
      return;
    case 'timpani':
      track.tone(at(0), beatSec * 2, root - 12, 0.3, 0, { attackSec: 0.003, decayPerSec: 3, harmonics: [1, 0.5, 0.2] });
      if (fill)
        for (let s = 0; s < 4; s++)
          track.tone(at(3 + s / 4), beatSec / 4, root - 12, 0.12 + s * 0.04, 0, {
            attackSec: 0.003,
            decayPerSec: 6,
            harmonics: [1, 0.5],
          });
      return;
    case 'four-on-floor':
      for (let b = 0; b < 4; b++) {
        track.kick(at(b), 0.55);
        track.hit(at(b + 0.5), 0.05, 0.09, 45, { bright: true, pan: -0.2 });
        if (b % 2 === 1) track.hit(at(b), 0.15, 0.16, 25, { bodyHz: 1100 });
      }
      break;
    default: {
      const rock = sound.drums === 'rock';
      track.kick(at(0), rock ? 0.6 : 0.5);
      track.kick(at(2), rock ? 0.6 : 0.5);
      if (rock || song.random() < 0.4) track.kick(at(rock ? 1.5 : 2.5), 0.4);
      for (const b of [1, 3]) track.hit(at(b), 0.2, rock ? 0.26 : 0.2, 20, { bodyHz: 190 });
      for (let e = 0; e < 8; e++)
        track.hit(at(e / 2), rock ? 0.09 : 0.05, rock ? 0.09 : 0.06, rock ? 30 : 55, { bright: true, pan: 0.25 });
    }
  }
  if (sectionStart) track.hit(at(0), 1.2, 0.09, 3, { bright: true, pan: -0.3 });
  if (fill) for (let s = 0; s < 4; s++) track.hit(at(3 + s / 4), 0.1, 0.1 + s * 0.03, 25, { bodyHz: 210 });
}

/**
 * A backing track in plain TypeScript, exactly `durationSec` long: a song form
 * (intro, verses, choruses, bridges) whose progressions, arpeggios and melodies
 * are drawn from the run's seed, played with the style's instruments. Every
 * bar starts on the grid's beat (`beatOffsetSec + k * 60 / bpm`); before the
 * first beat the opening chord swells in. It gives way to other work after
 * every bar: a run draws its first frames while its music is made.
 */
export async function synthesizeMusic(request: MusicRequest): Promise<PcmAudio> {
  const random = seededRandom(`music:${request.seed}`);
  const frames = Math.round(request.durationSec * MUSIC_SAMPLE_RATE);
  const track = new Track(MUSIC_SAMPLE_RATE, frames, seededRandom(`noise:${request.seed}`));
  const minor = moodInfo(request.mood).minor;
  const sound = styleSound(knownMusicStyle(request.musicStyle));
  const { scale } = MODES[minor ? 'minor' : 'major'];
  const song: Song = {
    track,
    sound,
    scale,
    key: 45 + Math.floor(random() * 7),
    beatSec: 60 / request.grid.bpm,
    random,
  };
  const barSec = song.beatSec * 4;
  const offset = request.grid.beatOffsetSec;
  const bars = Math.ceil((request.durationSec - offset) / barSec) + 1;
  const sections = arrange(bars, minor, random);

  if (offset > 0.05) {
    for (const tone of chordTones(song, sections[0]!.progression[0]!, 0))
      track.tone(0, offset + 0.2, tone + 12, sound.pad.level || 0.05, 0, {
        attackSec: offset,
        decayPerSec: 0,
        harmonics: [1, 0.2],
      });
  }
  let bar = 0;
  for (const section of sections) {
    let melody = motif(song, section);
    for (let b = 0; b < section.bars && bar < bars; b++, bar++) {
      // A new phrase every two bars: half the time a variation of the last, half the time new.
      if (b > 0 && b % 2 === 0)
        melody =
          random() < 0.5
            ? melody.map((step) =>
                step >= 0 && random() < 0.35 ? Math.max(5, step + (random() < 0.5 ? 1 : -1)) : step,
              )
            : motif(song, section);
      playBar(song, section, b, offset + bar * barSec, melody);
      await setImmediate();
    }
  }
  if (sound.echo > 0) track.echo(song.beatSec * 0.75, 0.35, sound.echo);
  await setImmediate();
  return finish(track, request.durationSec);
}

/** Fade in and out, then a soft clip (loudness is set later, on the whole mix). */
function finish(track: Track, durationSec: number): PcmAudio {
  const frames = track.frames;
  const fadeIn = Math.min(frames, Math.floor(0.3 * track.rate));
  const fadeOut = Math.min(frames, Math.floor(Math.min(2, durationSec / 3) * track.rate));
  for (let i = 0; i < frames; i++) {
    let gain = 1;
    if (i < fadeIn) gain *= i / fadeIn;
    if (frames - i < fadeOut) gain *= (frames - i) / fadeOut;
    track.left[i] = Math.tanh(track.left[i]! * gain * 1.2);
    track.right[i] = Math.tanh(track.right[i]! * gain * 1.2);
  }
  return { sampleRate: track.rate, channels: [track.left, track.right] };
}
