import { capitalise, chapterTitle, numberWord, type Gap, type Phrasebook, type When } from './phrasebook.js';

const NUMBERS = [
  'null',
  'ein',
  'zwei',
  'drei',
  'vier',
  'fünf',
  'sechs',
  'sieben',
  'acht',
  'neun',
  'zehn',
  'elf',
  'zwölf',
  'dreizehn',
];
/** Joined to the weekday: "Sonntagmorgen", "Sonntagabend". */
const PARTS = { morning: 'morgen', afternoon: 'nachmittag', evening: 'abend', night: 'nacht' } as const;
const ON_THE = {
  morning: 'Am Morgen',
  afternoon: 'Am Nachmittag',
  evening: 'Am Abend',
  night: 'In der Nacht',
} as const;
const NEXT = {
  morning: 'Am nächsten Morgen',
  afternoon: 'Am nächsten Nachmittag',
  evening: 'Am nächsten Abend',
  night: 'In der nächsten Nacht',
} as const;

const day = (w: When) => `an einem ${w.weekday}${w.part ? PARTS[w.part] : ''}`;
const when = (w: When) => `${day(w)} im ${w.month}`;
const after = (w: When | null) => (w ? `, ${when(w)}` : '');

function gapPhrase(gap: Gap): string {
  switch (gap.kind) {
    case 'same-day':
      return gap.part ? ON_THE[gap.part] : 'Später am selben Tag';
    case 'next-day':
      return gap.part ? NEXT[gap.part] : 'Am nächsten Tag';
    case 'days-later':
      return `${capitalise(numberWord(NUMBERS, gap.days))} Tage später`;
    case 'more-days':
      return `Nach ${numberWord(NUMBERS, gap.days)} weiteren Tagen`;
    case 'long-after':
      return 'Einige Zeit später';
  }
}

// German puts the verb second: "Am nächsten Morgen waren wir in Bergen."
export const de: Phrasebook = {
  locale: 'de-DE',
  monthStyle: 'long',
  untitled: 'Unsere Geschichte',
  gapPhrase,
  townInCountry: (town, country) => `${town}, ${country}`,
  opening: {
    // Sea names are English only: the sea is said, not named.
    atSea: (_, w) => `Alles begann auf hoher See${after(w)}.`,
    atSeaShort: () => 'Alles begann auf See.',
    region: (area, w) => `Alles begann auf den Straßen von ${area}${after(w)}.`,
    regionShort: (area) => `Alles begann in ${area}.`,
    place: (where, w) => `Alles begann in ${where}, ${when(w)}.`,
    placeOnDay: (town, w) => `Alles begann in ${town}, ${day(w)}.`,
    town: (where) => `Alles begann in ${where}.`,
    when: (w) => `Alles begann ${when(w)}.`,
  },
  scene: {
    journeyOn: (gap) => `${gapPhrase(gap)} ging die Reise weiter.`,
    atSea: (_, gap) => (gap ? `${gapPhrase(gap)} waren wir auf hoher See.` : 'Wir waren auf hoher See.'),
    openWater: () => 'Dann das offene Meer.',
    roads: (area, gap) =>
      gap ? `${gapPhrase(gap)} fuhren wir über die Straßen von ${area}.` : `Wir fuhren über die Straßen von ${area}.`,
    droveThrough: (area) => `Wir fuhren weiter durch ${area}.`,
    still: (town, gap) => `${gapPhrase(gap)} waren wir noch immer in ${town}.`,
    were: (where, gap) => `${gapPhrase(gap)} waren wir in ${where}.`,
    broughtUs: () => null,
    wentOn: (where, gap) => `${gapPhrase(gap)} fuhren wir weiter nach ${where}.`,
    arrived: (where, gap) => `${gapPhrase(gap)} kamen wir in ${where} an.`,
    fromThere: (where) => `Von dort ging es weiter nach ${where}.`,
    roadLed: (where) => `Die Straße führte uns weiter nach ${where}.`,
    soon: (where) => `Bald waren wir in ${where}.`,
    reached: (where) => `Wir erreichten ${where}.`,
    nextCame: (where) => `Dann kam ${where}.`,
    thenCame: (where) => `Danach ging es nach ${where}.`,
    wasNext: (where) => `Als Nächstes: ${where}.`,
    gapAndPlace: (where, gap) => `${gapPhrase(gap)}: ${where}.`,
  },
  closings: [
    'Das sind die Momente, die bleiben.',
    'Und so werden wir uns daran erinnern.',
    'Eine unvergessliche Reise.',
  ],
  chapter: (n, name) => chapterTitle('Tag', n, name),
  route: {
    roundTrip: (from) => `Eine Rundreise ab ${from}.`,
    fromTo: (from, to) => `Von ${from} nach ${to}.`,
    fromToBy: (from, to, by) => `Von ${from} über ${by} nach ${to}.`,
  },
};
