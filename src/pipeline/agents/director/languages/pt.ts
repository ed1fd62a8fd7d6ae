import { capitalise, chapterTitle, numberWord, type Gap, type Phrasebook, type When } from './phrasebook.js';

const NUMBERS = [
  'zero',
  'um',
  'dois',
  'três',
  'quatro',
  'cinco',
  'seis',
  'sete',
  'oito',
  'nove',
  'dez',
  'onze',
  'doze',
  'treze',
];
const PARTS = { morning: 'de manhã', afternoon: 'à tarde', evening: 'ao fim da tarde', night: 'à noite' } as const;
const THAT = {
  morning: 'Nessa manhã',
  afternoon: 'Nessa tarde',
  evening: 'Ao fim da tarde',
  night: 'Nessa noite',
} as const;
const NEXT = {
  morning: 'Na manhã seguinte',
  afternoon: 'Na tarde seguinte',
  evening: 'Ao fim da tarde do dia seguinte',
  night: 'Na noite seguinte',
} as const;

/** "num domingo", "numa segunda-feira": the weekdays named "-feira" are feminine. */
const day = (w: When) =>
  `${w.weekday.endsWith('feira') ? 'numa' : 'num'} ${w.weekday}${w.part ? ` ${PARTS[w.part]}` : ''}`;
const when = (w: When) => `${day(w)}, em ${w.month}`;
const after = (w: When | null) => (w ? `, ${when(w)}` : '');

function gapPhrase(gap: Gap): string {
  switch (gap.kind) {
    case 'same-day':
      return gap.part ? THAT[gap.part] : 'Mais tarde, nesse mesmo dia';
    case 'next-day':
      return gap.part ? NEXT[gap.part] : 'No dia seguinte';
    case 'days-later':
      return `${capitalise(numberWord(NUMBERS, gap.days))} dias depois`;
    case 'more-days':
      return `Passados mais ${numberWord(NUMBERS, gap.days)} dias`;
    case 'long-after':
      return 'Algum tempo depois';
  }
}

export const pt: Phrasebook = {
  locale: 'pt-PT',
  monthStyle: 'long',
  untitled: 'A nossa história',
  gapPhrase,
  townInCountry: (town, country) => `${town}, ${country}`,
  opening: {
    // Sea names are English only: the sea is said, not named.
    atSea: (_, w) => `Tudo começou em alto mar${after(w)}.`,
    atSeaShort: () => 'Tudo começou no mar.',
    region: (area, w) => `Tudo começou nas estradas de ${area}${after(w)}.`,
    regionShort: (area) => `Tudo começou nas estradas de ${area}.`,
    place: (where, w) => `Tudo começou em ${where}, ${when(w)}.`,
    placeOnDay: (town, w) => `Tudo começou em ${town}, ${day(w)}.`,
    town: (where) => `Tudo começou em ${where}.`,
    when: (w) => `Tudo começou ${when(w)}.`,
  },
  scene: {
    journeyOn: (gap) => `${gapPhrase(gap)}, a viagem continuou.`,
    atSea: (_, gap) => (gap ? `${gapPhrase(gap)}, estávamos em alto mar.` : 'Estávamos em alto mar.'),
    openWater: () => 'Depois, o mar aberto.',
    roads: (area, gap) =>
      gap ? `${gapPhrase(gap)}, percorremos as estradas de ${area}.` : `Percorremos as estradas de ${area}.`,
    droveThrough: (area) => `Seguimos viagem pelas estradas de ${area}.`,
    still: (town, gap) => `${gapPhrase(gap)}, ainda estávamos em ${town}.`,
    were: (where, gap) => `${gapPhrase(gap)}, estávamos em ${where}.`,
    broughtUs: () => null,
    wentOn: (where, gap) => `${gapPhrase(gap)}, seguimos para ${where}.`,
    arrived: (where, gap) => `${gapPhrase(gap)}, chegámos a ${where}.`,
    fromThere: (where) => `Dali seguimos até ${where}.`,
    roadLed: (where) => `A estrada levou-nos até ${where}.`,
    soon: (where) => `Pouco depois, estávamos em ${where}.`,
    reached: (where) => `Chegámos a ${where}.`,
    nextCame: (where) => `Depois veio ${where}.`,
    thenCame: (where) => `Em seguida, ${where}.`,
    wasNext: (where) => `Próximo destino: ${where}.`,
    gapAndPlace: (where, gap) => `${gapPhrase(gap)}, ${where}.`,
  },
  closings: ['Estes são os momentos que guardamos.', 'E é assim que o vamos recordar.', 'Uma viagem para recordar.'],
  chapter: (n, name) => chapterTitle('Dia', n, name),
  route: {
    roundTrip: (from) => `Uma volta a partir de ${from}.`,
    fromTo: (from, to) => `De ${from} a ${to}.`,
    fromToBy: (from, to, by) => `De ${from} a ${to}, passando por ${by}.`,
  },
};
