import { capitalise, chapterTitle, numberWord, type Gap, type Phrasebook, type When } from './phrasebook.js';

const NUMBERS = [
  'nul',
  'een',
  'twee',
  'drie',
  'vier',
  'vijf',
  'zes',
  'zeven',
  'acht',
  'negen',
  'tien',
  'elf',
  'twaalf',
  'dertien',
];
/** Joined to the weekday: "zondagochtend", "zondagavond". */
const PARTS = { morning: 'ochtend', afternoon: 'middag', evening: 'avond', night: 'nacht' } as const;

const day = (w: When) => `op een ${w.weekday}${w.part ? PARTS[w.part] : ''}`;
const when = (w: When) => `${day(w)} in ${w.month}`;
const after = (w: When | null) => (w ? `, ${when(w)}` : '');

function gapPhrase(gap: Gap): string {
  switch (gap.kind) {
    case 'same-day':
      return gap.part ? `Die ${PARTS[gap.part]}` : 'Later die dag';
    case 'next-day':
      return `De volgende ${gap.part ? PARTS[gap.part] : 'dag'}`;
    case 'days-later':
      return `${capitalise(numberWord(NUMBERS, gap.days))} dagen later`;
    case 'more-days':
      return `Na nog ${numberWord(NUMBERS, gap.days)} dagen`;
    case 'long-after':
      return 'Enige tijd later';
  }
}

// Dutch puts the verb second: "De volgende ochtend waren we in Bergen."
export const nl: Phrasebook = {
  locale: 'nl-NL',
  monthStyle: 'long',
  untitled: 'Ons verhaal',
  gapPhrase,
  townInCountry: (town, country) => `${town}, ${country}`,
  opening: {
    // Sea names are English only: the sea is said, not named.
    atSea: (_, w) => `Het begon op open zee${after(w)}.`,
    atSeaShort: () => 'Het begon op zee.',
    region: (area, w) => `Het begon op de wegen van ${area}${after(w)}.`,
    regionShort: (area) => `Het begon in ${area}.`,
    place: (where, w) => `Het begon in ${where}, ${when(w)}.`,
    placeOnDay: (town, w) => `Het begon in ${town}, ${day(w)}.`,
    town: (where) => `Het begon in ${where}.`,
    when: (w) => `Het begon ${when(w)}.`,
  },
  scene: {
    journeyOn: (gap) => `${gapPhrase(gap)} ging de reis verder.`,
    atSea: (_, gap) => (gap ? `${gapPhrase(gap)} waren we op open zee.` : 'We waren op open zee.'),
    openWater: () => 'Daarna het open water.',
    roads: (area, gap) =>
      gap ? `${gapPhrase(gap)} reden we over de wegen van ${area}.` : `We reden over de wegen van ${area}.`,
    droveThrough: (area) => `We reden verder door ${area}.`,
    still: (town, gap) => `${gapPhrase(gap)} waren we nog steeds in ${town}.`,
    were: (where, gap) => `${gapPhrase(gap)} waren we in ${where}.`,
    broughtUs: () => null,
    wentOn: (where, gap) => `${gapPhrase(gap)} reisden we verder naar ${where}.`,
    arrived: (where, gap) => `${gapPhrase(gap)} kwamen we aan in ${where}.`,
    fromThere: (where) => `Vandaar gingen we verder naar ${where}.`,
    roadLed: (where) => `De weg bracht ons naar ${where}.`,
    soon: (where) => `Al snel waren we in ${where}.`,
    reached: (where) => `We bereikten ${where}.`,
    nextCame: (where) => `Toen kwam ${where}.`,
    thenCame: (where) => `Daarna ging het naar ${where}.`,
    wasNext: (where) => `Volgende stop: ${where}.`,
    gapAndPlace: (where, gap) => `${gapPhrase(gap)}: ${where}.`,
  },
  closings: [
    'Dit zijn de momenten die we bewaren.',
    'En zo zullen we het ons herinneren.',
    'Een reis om nooit te vergeten.',
  ],
  chapter: (n, name) => chapterTitle('Dag', n, name),
  route: {
    roundTrip: (from) => `Een rondreis vanuit ${from}.`,
    fromTo: (from, to) => `Van ${from} naar ${to}.`,
    fromToBy: (from, to, by) => `Van ${from} via ${by} naar ${to}.`,
  },
};
