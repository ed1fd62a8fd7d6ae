import { capitalise, chapterTitle, numberWord, type Gap, type Phrasebook, type When } from './phrasebook.js';

const NUMBERS = [
  'zero',
  'uno',
  'due',
  'tre',
  'quattro',
  'cinque',
  'sei',
  'sette',
  'otto',
  'nove',
  'dieci',
  'undici',
  'dodici',
  'tredici',
];
const PARTS = { morning: 'mattina', afternoon: 'pomeriggio', evening: 'sera', night: 'notte' } as const;
const THAT = {
  morning: 'Quella mattina',
  afternoon: 'Quel pomeriggio',
  evening: 'Quella sera',
  night: 'Quella notte',
} as const;
const NEXT = {
  morning: 'La mattina dopo',
  afternoon: 'Il pomeriggio dopo',
  evening: 'La sera dopo',
  night: 'La notte dopo',
} as const;

/** "una domenica", "un sabato": only Sunday is feminine. */
const day = (w: When) => `${w.weekday === 'domenica' ? 'una' : 'un'} ${w.weekday}${w.part ? ` ${PARTS[w.part]}` : ''}`;
const when = (w: When) => `${day(w)} di ${w.month}`;
const after = (w: When | null) => (w ? `, ${when(w)}` : '');

function gapPhrase(gap: Gap): string {
  switch (gap.kind) {
    case 'same-day':
      return gap.part ? THAT[gap.part] : 'Più tardi, lo stesso giorno';
    case 'next-day':
      return gap.part ? NEXT[gap.part] : 'Il giorno dopo';
    case 'days-later':
      return `${capitalise(numberWord(NUMBERS, gap.days))} giorni dopo`;
    case 'more-days':
      return `Dopo altri ${numberWord(NUMBERS, gap.days)} giorni`;
    case 'long-after':
      return 'Qualche tempo dopo';
  }
}

export const it: Phrasebook = {
  locale: 'it-IT',
  monthStyle: 'long',
  untitled: 'La nostra storia',
  gapPhrase,
  townInCountry: (town, country) => `${town}, ${country}`,
  opening: {
    // Sea names are English only: the sea is said, not named.
    atSea: (_, w) => `Tutto è cominciato in mare aperto${after(w)}.`,
    atSeaShort: () => 'Tutto è cominciato in mare.',
    region: (area, w) => `Tutto è cominciato sulle strade di ${area}${after(w)}.`,
    regionShort: (area) => `Tutto è cominciato sulle strade di ${area}.`,
    place: (where, w) => `Tutto è cominciato a ${where}, ${when(w)}.`,
    placeOnDay: (town, w) => `Tutto è cominciato a ${town}, ${day(w)}.`,
    town: (where) => `Tutto è cominciato a ${where}.`,
    when: (w) => `Tutto è cominciato ${when(w)}.`,
  },
  scene: {
    journeyOn: (gap) => `${gapPhrase(gap)}, il viaggio è continuato.`,
    atSea: (_, gap) => (gap ? `${gapPhrase(gap)}, eravamo in mare aperto.` : 'Eravamo in mare aperto.'),
    openWater: () => 'Poi, il mare aperto.',
    roads: (area, gap) =>
      gap ? `${gapPhrase(gap)}, abbiamo percorso le strade di ${area}.` : `Abbiamo percorso le strade di ${area}.`,
    droveThrough: (area) => `Abbiamo proseguito per le strade di ${area}.`,
    still: (town, gap) => `${gapPhrase(gap)}, eravamo ancora a ${town}.`,
    were: (where, gap) => `${gapPhrase(gap)}, eravamo a ${where}.`,
    broughtUs: () => null,
    wentOn: (where, gap) => `${gapPhrase(gap)}, siamo ripartiti per ${where}.`,
    arrived: (where, gap) => `${gapPhrase(gap)}, siamo arrivati a ${where}.`,
    fromThere: (where) => `Da lì abbiamo proseguito fino a ${where}.`,
    roadLed: (where) => `La strada ci ha portati fino a ${where}.`,
    soon: (where) => `Presto eravamo a ${where}.`,
    reached: (where) => `Abbiamo raggiunto ${where}.`,
    nextCame: (where) => `Poi è stata la volta di ${where}.`,
    thenCame: (where) => `Dopo, ${where}.`,
    wasNext: (where) => `Tappa successiva: ${where}.`,
    gapAndPlace: (where, gap) => `${gapPhrase(gap)}, ${where}.`,
  },
  closings: ['Questi sono i momenti che custodiamo.', 'Ed è così che lo ricorderemo.', 'Un viaggio da ricordare.'],
  chapter: (n, name) => chapterTitle('Giorno', n, name),
  route: {
    roundTrip: (from) => `Un giro ad anello da ${from}.`,
    fromTo: (from, to) => `Da ${from} a ${to}.`,
    fromToBy: (from, to, by) => `Da ${from} a ${to}, passando per ${by}.`,
  },
};
