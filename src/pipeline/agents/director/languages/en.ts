import { capitalise, chapterTitle, numberWord, type Gap, type Phrasebook, type When } from './phrasebook.js';

const NUMBERS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
];

const day = (w: When) => `on a ${w.weekday}${w.part ? ` ${w.part}` : ''}`;
const when = (w: When) => `${day(w)} in ${w.month}`;
const after = (w: When | null) => (w ? `, ${when(w)}` : '');

function gapPhrase(gap: Gap): string {
  switch (gap.kind) {
    case 'same-day':
      return gap.part ? `That ${gap.part}` : 'Later that day';
    case 'next-day':
      return `The next ${gap.part ?? 'day'}`;
    case 'days-later':
      return `${capitalise(numberWord(NUMBERS, gap.days))} days later`;
    case 'more-days':
      return `After ${numberWord(NUMBERS, gap.days)} more days`;
    case 'long-after':
      return 'Some time later';
  }
}

const we = (gap: Gap | null) => (gap ? `${gapPhrase(gap)}, we` : 'We');

export const en: Phrasebook = {
  locale: 'en-GB',
  monthStyle: 'short',
  untitled: 'Our story',
  gapPhrase,
  townInCountry: (town, country) => `${town}, ${country}`,
  opening: {
    atSea: (area, w) => `It began out on the ${area}${after(w)}.`,
    atSeaShort: () => 'It began at sea.',
    region: (area, w) => `It began on the roads of ${area}${after(w)}.`,
    regionShort: (area) => `It began in ${area}.`,
    place: (where, w) => `It began in ${where}, ${when(w)}.`,
    placeOnDay: (town, w) => `It began in ${town}, ${day(w)}.`,
    town: (where) => `It began in ${where}.`,
    when: (w) => `It began ${when(w)}.`,
  },
  scene: {
    journeyOn: (gap) => `${gapPhrase(gap)}, the journey went on.`,
    atSea: (area, gap) => `${we(gap)} were out on the ${area}.`,
    openWater: (area) => `Then, the open water of the ${area}.`,
    roads: (area, gap) => `${we(gap)} took to the roads of ${area}.`,
    droveThrough: (area) => `We drove on through ${area}.`,
    still: (town, gap) => `${gapPhrase(gap)}, we were still in ${town}.`,
    were: (where, gap) => `${gapPhrase(gap)}, we were in ${where}.`,
    // "The next morning brought us" reads well; "Two days later brought us" does not.
    broughtUs: (where, gap) =>
      gap.kind === 'next-day' || (gap.kind === 'same-day' && gap.part)
        ? `${gapPhrase(gap)} brought us to ${where}.`
        : null,
    wentOn: (where, gap) => `${gapPhrase(gap)}, we went on to ${where}.`,
    arrived: (where, gap) => `${gapPhrase(gap)}, we arrived in ${where}.`,
    fromThere: (where) => `From there we went on to ${where}.`,
    roadLed: (where) => `The road led on to ${where}.`,
    soon: (where) => `Soon we were in ${where}.`,
    reached: (where) => `We reached ${where}.`,
    nextCame: (where) => `Next came ${where}.`,
    thenCame: (where) => `Then came ${where}.`,
    wasNext: (where) => `${where} was next.`,
    gapAndPlace: (where, gap) => `${gapPhrase(gap)}, ${where}.`,
  },
  closings: ['These are the moments we keep.', 'And that is how we will remember it.', 'A trip to remember.'],
  chapter: (n, name) => chapterTitle('Day', n, name),
  route: {
    roundTrip: (from) => `A round trip from ${from}.`,
    fromTo: (from, to) => `From ${from} to ${to}.`,
    fromToBy: (from, to, by) => `From ${from} to ${to}, by ${by}.`,
  },
};
