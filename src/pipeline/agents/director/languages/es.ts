import { capitalise, chapterTitle, numberWord, type Gap, type Phrasebook, type When } from './phrasebook.js';

const NUMBERS = [
  'cero',
  'uno',
  'dos',
  'tres',
  'cuatro',
  'cinco',
  'seis',
  'siete',
  'ocho',
  'nueve',
  'diez',
  'once',
  'doce',
  'trece',
];
const PARTS = {
  morning: 'por la mañana',
  afternoon: 'por la tarde',
  evening: 'al atardecer',
  night: 'por la noche',
} as const;
const THAT = { morning: 'Esa mañana', afternoon: 'Esa tarde', evening: 'Al atardecer', night: 'Esa noche' } as const;
const NEXT = {
  morning: 'A la mañana siguiente',
  afternoon: 'A la tarde siguiente',
  evening: 'Al atardecer del día siguiente',
  night: 'La noche siguiente',
} as const;

const day = (w: When) => `un ${w.weekday}${w.part ? ` ${PARTS[w.part]}` : ''}`;
const when = (w: When) => `un ${w.weekday} de ${w.month}${w.part ? `, ${PARTS[w.part]}` : ''}`;
const after = (w: When | null) => (w ? `, ${when(w)}` : '');

function gapPhrase(gap: Gap): string {
  switch (gap.kind) {
    case 'same-day':
      return gap.part ? THAT[gap.part] : 'Más tarde, ese mismo día';
    case 'next-day':
      return gap.part ? NEXT[gap.part] : 'Al día siguiente';
    case 'days-later':
      return `${capitalise(numberWord(NUMBERS, gap.days))} días después`;
    case 'more-days':
      return `Tras ${numberWord(NUMBERS, gap.days)} días más`;
    case 'long-after':
      return 'Algún tiempo después';
  }
}

export const es: Phrasebook = {
  locale: 'es-ES',
  monthStyle: 'long',
  untitled: 'Nuestra historia',
  gapPhrase,
  townInCountry: (town, country) => `${town}, ${country}`,
  opening: {
    // Sea names are English only: the sea is said, not named.
    atSea: (_, w) => `Todo empezó en alta mar${after(w)}.`,
    atSeaShort: () => 'Todo empezó en el mar.',
    region: (area, w) => `Todo empezó en las carreteras de ${area}${after(w)}.`,
    regionShort: (area) => `Todo empezó en ${area}.`,
    place: (where, w) => `Todo empezó en ${where}, ${when(w)}.`,
    placeOnDay: (town, w) => `Todo empezó en ${town}, ${day(w)}.`,
    town: (where) => `Todo empezó en ${where}.`,
    when: (w) => `Todo empezó ${when(w)}.`,
  },
  scene: {
    journeyOn: (gap) => `${gapPhrase(gap)}, el viaje continuó.`,
    atSea: (_, gap) => (gap ? `${gapPhrase(gap)}, navegábamos en alta mar.` : 'Navegábamos en alta mar.'),
    openWater: () => 'Después, el mar abierto.',
    roads: (area, gap) =>
      gap ? `${gapPhrase(gap)}, recorrimos las carreteras de ${area}.` : `Recorrimos las carreteras de ${area}.`,
    droveThrough: (area) => `Seguimos camino por ${area}.`,
    still: (town, gap) => `${gapPhrase(gap)}, seguíamos en ${town}.`,
    were: (where, gap) => `${gapPhrase(gap)}, estábamos en ${where}.`,
    broughtUs: () => null,
    wentOn: (where, gap) => `${gapPhrase(gap)}, seguimos hacia ${where}.`,
    arrived: (where, gap) => `${gapPhrase(gap)}, llegamos a ${where}.`,
    fromThere: (where) => `Desde allí seguimos hasta ${where}.`,
    roadLed: (where) => `El camino nos llevó hasta ${where}.`,
    soon: (where) => `Pronto estábamos en ${where}.`,
    reached: (where) => `Llegamos a ${where}.`,
    nextCame: (where) => `Luego vino ${where}.`,
    thenCame: (where) => `Después, ${where}.`,
    wasNext: (where) => `La siguiente parada: ${where}.`,
    gapAndPlace: (where, gap) => `${gapPhrase(gap)}, ${where}.`,
  },
  closings: ['Estos son los momentos que guardamos.', 'Y así es como lo recordaremos.', 'Un viaje para recordar.'],
  chapter: (n, name) => chapterTitle('Día', n, name),
  route: {
    roundTrip: (from) => `Un viaje de ida y vuelta desde ${from}.`,
    fromTo: (from, to) => `De ${from} a ${to}.`,
    fromToBy: (from, to, by) => `De ${from} a ${to}, pasando por ${by}.`,
  },
};
