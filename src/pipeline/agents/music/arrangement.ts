import type { KnownMusicStyle } from '../../../style/styles.js';

/**
 * What makes each style recognisable (its instruments and patterns), and the
 * song form that keeps a long track from looping: sections of different
 * progressions and densities, each with its own melody and arpeggio pattern.
 */

export interface StyleSound {
  /** Chord pad: level, how slowly it swells in, and tone (harmonics). */
  pad: { level: number; attackSec: number; harmonics: number[] };
  /** Bass: level and notes per bar (2 = half notes, 8 = eighths). */
  bass: { level: number; perBar: number };
  /** Broken-chord part: level, notes per beat, tone (harmonics) and decay. */
  arp: { level: number; perBeat: number; harmonics: number[]; decay: number };
  /** Lead melody: level, tone and vibrato. */
  lead: { level: number; harmonics: number[]; vibrato: number };
  drums: 'none' | 'soft' | 'backbeat' | 'rock' | 'four-on-floor' | 'timpani';
  /** Echo mix for space (0 = dry). */
  echo: number;
}

// Each part as every style plays it: a table a part, a row a style.
const PADS: Record<KnownMusicStyle, StyleSound['pad']> = {
  acoustic: { level: 0.03, attackSec: 0.3, harmonics: [1, 0.3] },
  piano: { level: 0.02, attackSec: 0.2, harmonics: [1] },
  ambient: { level: 0.12, attackSec: 1.8, harmonics: [1, 0.15, 0.1] },
  pop: { level: 0.05, attackSec: 0.05, harmonics: [1, 0.5, 0.3] },
  rock: { level: 0.07, attackSec: 0.01, harmonics: [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4] },
  electronic: { level: 0.06, attackSec: 0.02, harmonics: [1, 0.5, 0.33, 0.25, 0.2] },
  cinematic: { level: 0.13, attackSec: 0.9, harmonics: [1, 0.5, 0.33, 0.25] },
};

const BASSES: Record<KnownMusicStyle, StyleSound['bass']> = {
  acoustic: { level: 0.15, perBar: 2 },
  piano: { level: 0.13, perBar: 1 },
  ambient: { level: 0.07, perBar: 1 },
  pop: { level: 0.17, perBar: 8 },
  rock: { level: 0.19, perBar: 8 },
  electronic: { level: 0.18, perBar: 8 },
  cinematic: { level: 0.13, perBar: 1 },
};

const ARPS: Record<KnownMusicStyle, StyleSound['arp']> = {
  acoustic: { level: 0.17, perBeat: 2, harmonics: [1, 0.5, 0.3, 0.2, 0.1], decay: 4 },
  piano: { level: 0.15, perBeat: 1, harmonics: [1, 0.35, 0.12, 0.05], decay: 2.2 },
  ambient: { level: 0.05, perBeat: 1, harmonics: [1, 0, 0.2], decay: 1.2 },
  pop: { level: 0.09, perBeat: 2, harmonics: [1, 0.6, 0.4], decay: 6 },
  rock: { level: 0.04, perBeat: 2, harmonics: [1, 0.8, 0.6], decay: 5 },
  electronic: { level: 0.1, perBeat: 4, harmonics: [1, 0.5, 0.33, 0.25], decay: 9 },
  cinematic: { level: 0.06, perBeat: 2, harmonics: [1, 0.3], decay: 3 },
};

const LEADS: Record<KnownMusicStyle, StyleSound['lead']> = {
  acoustic: { level: 0.05, harmonics: [1, 0.2], vibrato: 0.002 },
  piano: { level: 0.12, harmonics: [1, 0.4, 0.15, 0.05], vibrato: 0 },
  ambient: { level: 0.05, harmonics: [1, 0, 0.3, 0, 0.1], vibrato: 0.004 },
  pop: { level: 0.09, harmonics: [1, 0.5, 0.25, 0.12], vibrato: 0.003 },
  rock: { level: 0.08, harmonics: [1, 0.8, 0.6, 0.4, 0.3], vibrato: 0.006 },
  electronic: { level: 0.06, harmonics: [1, 0, 0.33, 0, 0.2], vibrato: 0 },
  cinematic: { level: 0.08, harmonics: [1, 0.5, 0.3, 0.2], vibrato: 0.005 },
};

const DRUMS_AND_ECHO: Record<KnownMusicStyle, Pick<StyleSound, 'drums' | 'echo'>> = {
  acoustic: { drums: 'soft', echo: 0.1 },
  piano: { drums: 'none', echo: 0.15 },
  ambient: { drums: 'none', echo: 0.45 },
  pop: { drums: 'backbeat', echo: 0.12 },
  rock: { drums: 'rock', echo: 0.05 },
  electronic: { drums: 'four-on-floor', echo: 0.25 },
  cinematic: { drums: 'timpani', echo: 0.3 },
};

/** How a style sounds: its row of each table. */
export const styleSound = (style: KnownMusicStyle): StyleSound => ({
  pad: PADS[style],
  bass: BASSES[style],
  arp: ARPS[style],
  lead: LEADS[style],
  ...DRUMS_AND_ECHO[style],
});

/**
 * Each mode's scale (semitones above the key) and its progressions: scale-degree
 * roots (0-based, within the mode), four bars each.
 */
// prettier-ignore
export const MODES = {
  major: { scale: [0, 2, 4, 5, 7, 9, 11], progressions: [[0, 4, 5, 3], [0, 5, 3, 4], [3, 0, 4, 5], [0, 3, 1, 4], [5, 3, 0, 4], [0, 2, 3, 4]] },
  minor: { scale: [0, 2, 3, 5, 7, 8, 10], progressions: [[0, 5, 2, 6], [0, 3, 4, 0], [0, 6, 5, 4], [5, 6, 0, 0], [0, 3, 6, 2], [3, 4, 0, 5]] },
};

export type SectionKind = 'intro' | 'verse' | 'chorus' | 'bridge' | 'outro';

export interface Section {
  kind: SectionKind;
  bars: number;
  progression: number[];
  /** Which layers play (a verse is sparser than a chorus). */
  layers: { pad: boolean; bass: boolean; arp: boolean; lead: boolean; drums: boolean };
  /** The arpeggio's order over the chord tones, and the melody's rhythm (eighths per bar with a note). */
  arpPattern: number[];
  leadRhythm: boolean[];
  /** Semitones above the song's key (a late chorus can lift). */
  lift: number;
  /** How this occurrence is played, drawn anew each time so no two sound alike: chord inversion, arpeggio register and gaps, bass figure. */
  inversion: number;
  arpOctave: number;
  arpMask: boolean[];
  bassFigure: number;
}

const ARP_PATTERNS = [
  [0, 1, 2, 1],
  [0, 2, 1, 2],
  [0, 1, 2, 3],
  [2, 1, 0, 1],
  [0, 2, 3, 1],
  [0, 0, 2, 1],
];

/** The song form for `bars` bars: intro, then verse/chorus pairs with a bridge after every second pair, and an outro. */
export function arrange(bars: number, minor: boolean, random: () => number): Section[] {
  const pick = <T>(options: T[]): T => options[Math.floor(random() * options.length)]!;
  const progressions = MODES[minor ? 'minor' : 'major'].progressions;
  const verseProgression = pick(progressions);
  const chorusProgression = pick(progressions.filter((p) => p !== verseProgression));
  const bridgeProgression = pick(progressions.filter((p) => p !== verseProgression && p !== chorusProgression));
  const rhythm = (density: number) =>
    Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? random() < density + 0.25 : random() < density - 0.2));
  const sections: Section[] = [];
  /** A progression varied per occurrence: sometimes started two bars in, sometimes with its last chord swapped. */
  const vary = (progression: number[]) => {
    const roll = random();
    if (roll < 0.3) return [...progression.slice(2), ...progression.slice(0, 2)];
    if (roll < 0.6) return [...progression.slice(0, 3), pick([1, 2, 3, 4, 5].filter((d) => d !== progression[3]))];
    return progression;
  };
  const add = (kind: SectionKind, length: number, progression: number[], layers: Section['layers'], lift = 0) => {
    sections.push({
      kind,
      bars: length,
      progression: kind === 'intro' ? progression : vary(progression),
      layers,
      arpPattern: pick(ARP_PATTERNS),
      leadRhythm: rhythm(kind === 'chorus' ? 0.6 : 0.4),
      lift,
      inversion: Math.floor(random() * 3),
      arpOctave: pick([0, 12, 12, 24]),
      arpMask: Array.from({ length: 16 }, (_, i) => i % 4 === 0 || random() < 0.75),
      bassFigure: Math.floor(random() * 3),
    });
  };
  add('intro', Math.min(4, bars), verseProgression, { pad: true, bass: false, arp: true, lead: false, drums: false });
  let pairs = 0;
  while (sections.reduce((sum, s) => sum + s.bars, 0) < bars) {
    add('verse', 8, verseProgression, { pad: true, bass: true, arp: true, lead: true, drums: pairs > 0 });
    add(
      'chorus',
      8,
      chorusProgression,
      { pad: true, bass: true, arp: true, lead: true, drums: true },
      pairs >= 3 ? 2 : 0,
    );
    pairs++;
    if (pairs % 2 === 0)
      add('bridge', 8, bridgeProgression, { pad: true, bass: random() < 0.5, arp: false, lead: true, drums: false });
  }
  return sections;
}
