import type { KnownMusicStyle } from '../../../style/styles.js';

/**
 * What makes each style recognisable (its instruments and patterns), and the
 * song form that keeps a long track from looping: sections of different
 * progressions and densities, each with its own melody and arpeggio pattern.
 */

export interface StyleSound {
  /** Chord pad: level and how slowly it swells in. */
  pad: number;
  padAttackSec: number;
  padHarmonics: number[];
  /** Bass level and notes per bar (2 = half notes, 8 = eighths). */
  bass: number;
  bassPerBar: number;
  /** Broken-chord part: level, notes per beat, tone (harmonics) and decay. */
  arp: number;
  arpPerBeat: number;
  arpHarmonics: number[];
  arpDecay: number;
  /** Lead melody level and tone. */
  lead: number;
  leadHarmonics: number[];
  leadVibrato: number;
  drums: 'none' | 'soft' | 'backbeat' | 'rock' | 'four-on-floor' | 'timpani';
  /** Echo mix for space (0 = dry). */
  echo: number;
}

export const STYLE_SOUNDS: Record<KnownMusicStyle, StyleSound> = {
  acoustic: {
    pad: 0.03,
    padAttackSec: 0.3,
    padHarmonics: [1, 0.3],
    bass: 0.15,
    bassPerBar: 2,
    arp: 0.17,
    arpPerBeat: 2,
    arpHarmonics: [1, 0.5, 0.3, 0.2, 0.1],
    arpDecay: 4,
    lead: 0.05,
    leadHarmonics: [1, 0.2],
    leadVibrato: 0.002,
    drums: 'soft',
    echo: 0.1,
  },
  piano: {
    pad: 0.02,
    padAttackSec: 0.2,
    padHarmonics: [1],
    bass: 0.13,
    bassPerBar: 1,
    arp: 0.15,
    arpPerBeat: 1,
    arpHarmonics: [1, 0.35, 0.12, 0.05],
    arpDecay: 2.2,
    lead: 0.12,
    leadHarmonics: [1, 0.4, 0.15, 0.05],
    leadVibrato: 0,
    drums: 'none',
    echo: 0.15,
  },
  ambient: {
    pad: 0.12,
    padAttackSec: 1.8,
    padHarmonics: [1, 0.15, 0.1],
    bass: 0.07,
    bassPerBar: 1,
    arp: 0.05,
    arpPerBeat: 1,
    arpHarmonics: [1, 0, 0.2],
    arpDecay: 1.2,
    lead: 0.05,
    leadHarmonics: [1, 0, 0.3, 0, 0.1],
    leadVibrato: 0.004,
    drums: 'none',
    echo: 0.45,
  },
  pop: {
    pad: 0.05,
    padAttackSec: 0.05,
    padHarmonics: [1, 0.5, 0.3],
    bass: 0.17,
    bassPerBar: 8,
    arp: 0.09,
    arpPerBeat: 2,
    arpHarmonics: [1, 0.6, 0.4],
    arpDecay: 6,
    lead: 0.09,
    leadHarmonics: [1, 0.5, 0.25, 0.12],
    leadVibrato: 0.003,
    drums: 'backbeat',
    echo: 0.12,
  },
  rock: {
    pad: 0.07,
    padAttackSec: 0.01,
    padHarmonics: [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4],
    bass: 0.19,
    bassPerBar: 8,
    arp: 0.04,
    arpPerBeat: 2,
    arpHarmonics: [1, 0.8, 0.6],
    arpDecay: 5,
    lead: 0.08,
    leadHarmonics: [1, 0.8, 0.6, 0.4, 0.3],
    leadVibrato: 0.006,
    drums: 'rock',
    echo: 0.05,
  },
  electronic: {
    pad: 0.06,
    padAttackSec: 0.02,
    padHarmonics: [1, 0.5, 0.33, 0.25, 0.2],
    bass: 0.18,
    bassPerBar: 8,
    arp: 0.1,
    arpPerBeat: 4,
    arpHarmonics: [1, 0.5, 0.33, 0.25],
    arpDecay: 9,
    lead: 0.06,
    leadHarmonics: [1, 0, 0.33, 0, 0.2],
    leadVibrato: 0,
    drums: 'four-on-floor',
    echo: 0.25,
  },
  cinematic: {
    pad: 0.13,
    padAttackSec: 0.9,
    padHarmonics: [1, 0.5, 0.33, 0.25],
    bass: 0.13,
    bassPerBar: 1,
    arp: 0.06,
    arpPerBeat: 2,
    arpHarmonics: [1, 0.3],
    arpDecay: 3,
    lead: 0.08,
    leadHarmonics: [1, 0.5, 0.3, 0.2],
    leadVibrato: 0.005,
    drums: 'timpani',
    echo: 0.3,
  },
};

/** Progressions as scale-degree roots (0-based, within the mode) — four bars each. */
const MAJOR_PROGRESSIONS = [
  [0, 4, 5, 3],
  [0, 5, 3, 4],
  [3, 0, 4, 5],
  [0, 3, 1, 4],
  [5, 3, 0, 4],
  [0, 2, 3, 4],
];
const MINOR_PROGRESSIONS = [
  [0, 5, 2, 6],
  [0, 3, 4, 0],
  [0, 6, 5, 4],
  [5, 6, 0, 0],
  [0, 3, 6, 2],
  [3, 4, 0, 5],
];
export const MAJOR_SCALE = [0, 2, 4, 5, 7, 9, 11];
export const MINOR_SCALE = [0, 2, 3, 5, 7, 8, 10];

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
  const progressions = minor ? MINOR_PROGRESSIONS : MAJOR_PROGRESSIONS;
  const verseProgression = pick(progressions);
  const chorusProgression = pick(progressions.filter((p) => p !== verseProgression));
  const bridgeProgression = pick(progressions.filter((p) => p !== verseProgression && p !== chorusProgression));
  const rhythm = (density: number) => Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? random() < density + 0.25 : random() < density - 0.2));
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
    add('chorus', 8, chorusProgression, { pad: true, bass: true, arp: true, lead: true, drums: true }, pairs >= 3 ? 2 : 0);
    pairs++;
    if (pairs % 2 === 0) add('bridge', 8, bridgeProgression, { pad: true, bass: random() < 0.5, arp: false, lead: true, drums: false });
  }
  return sections;
}
