import { capitalise, chapterTitle, numberWord, type Gap, type Phrasebook, type When } from './phrasebook.js';

const NUMBERS = [
  'zéro',
  'un',
  'deux',
  'trois',
  'quatre',
  'cinq',
  'six',
  'sept',
  'huit',
  'neuf',
  'dix',
  'onze',
  'douze',
  'treize',
];
const PARTS = { morning: 'matin', afternoon: 'après-midi', evening: 'soir', night: 'soir' } as const;

const day = (w: When) => `un ${w.weekday}${w.part ? ` ${PARTS[w.part]}` : ''}`;
const when = (w: When) => `${day(w)}, en ${w.month}`;
const after = (w: When | null) => (w ? `, ${when(w)}` : '');
/** "de Bretagne", "d'Andalousie". */
const of = (name: string) => (/^[aeiouyhàâéèêîôû]/i.test(name) ? `d'${name}` : `de ${name}`);

/** The exceptions to French countries' gender and number: masculine ones in -e, singular ones in -s. */
const MASCULINE_IN_E = new Set(['Mexique', 'Cambodge', 'Mozambique', 'Zimbabwe', 'Belize']);
const SINGULAR_IN_S = new Set(['Laos', 'Honduras']);
/** "en Norvège", "au Portugal", "aux États-Unis": the preposition a country takes. */
function inCountry(country: string): string {
  if (/s$/.test(country) && !SINGULAR_IN_S.has(country)) return `aux ${country}`;
  if (/^[aeiouyàâéèêîôû]/i.test(country)) return `en ${country}`;
  if (/e$/.test(country) && !MASCULINE_IN_E.has(country)) return `en ${country}`;
  return `au ${country}`;
}

function gapPhrase(gap: Gap): string {
  switch (gap.kind) {
    case 'same-day':
      return gap.part === 'morning'
        ? 'Ce matin-là'
        : gap.part === 'afternoon'
          ? 'Cet après-midi-là'
          : gap.part
            ? 'Ce soir-là'
            : 'Plus tard dans la journée';
    case 'next-day':
      return gap.part ? `Le lendemain ${PARTS[gap.part]}` : 'Le lendemain';
    case 'days-later':
      return `${capitalise(numberWord(NUMBERS, gap.days))} jours plus tard`;
    case 'more-days':
      return `Après ${numberWord(NUMBERS, gap.days)} jours de plus`;
    case 'long-after':
      return 'Quelque temps plus tard';
  }
}

const we = (gap: Gap | null) => (gap ? `${gapPhrase(gap)}, nous` : 'Nous');

export const fr: Phrasebook = {
  locale: 'fr-FR',
  monthStyle: 'long',
  untitled: 'Notre histoire',
  gapPhrase,
  townInCountry: (town, country) => `${town}, ${inCountry(country)}`,
  opening: {
    // Sea names are English only: the sea is said, not named.
    atSea: (_, w) => `Tout a commencé en pleine mer${after(w)}.`,
    atSeaShort: () => 'Tout a commencé en mer.',
    region: (area, w) => `Tout a commencé sur les routes ${of(area)}${after(w)}.`,
    regionShort: (area) => `Tout a commencé sur les routes ${of(area)}.`,
    place: (where, w) => `Tout a commencé à ${where}, ${when(w)}.`,
    placeOnDay: (town, w) => `Tout a commencé à ${town}, ${day(w)}.`,
    town: (where) => `Tout a commencé à ${where}.`,
    when: (w) => `Tout a commencé ${when(w)}.`,
  },
  scene: {
    journeyOn: (gap) => `${gapPhrase(gap)}, le voyage a continué.`,
    atSea: (_, gap) => `${we(gap)} étions en pleine mer.`,
    openWater: () => 'Puis vint le grand large.',
    roads: (area, gap) => `${we(gap)} avons pris les routes ${of(area)}.`,
    droveThrough: (area) => `Nous avons continué sur les routes ${of(area)}.`,
    still: (town, gap) => `${gapPhrase(gap)}, nous étions toujours à ${town}.`,
    were: (where, gap) => `${gapPhrase(gap)}, nous étions à ${where}.`,
    broughtUs: () => null,
    wentOn: (where, gap) => `${gapPhrase(gap)}, nous sommes repartis pour ${where}.`,
    arrived: (where, gap) => `${gapPhrase(gap)}, nous sommes arrivés à ${where}.`,
    fromThere: (where) => `De là, nous avons continué jusqu'à ${where}.`,
    roadLed: (where) => `La route nous a menés jusqu'à ${where}.`,
    soon: (where) => `Bientôt, nous étions à ${where}.`,
    reached: (where) => `Nous avons rejoint ${where}.`,
    nextCame: (where) => `Puis ce fut ${where}.`,
    thenCame: (where) => `Ensuite, ${where}.`,
    wasNext: (where) => `Étape suivante : ${where}.`,
    gapAndPlace: (where, gap) => `${gapPhrase(gap)}, ${where}.`,
  },
  closings: [
    'Ce sont ces moments que nous gardons.',
    "Et c'est ainsi que nous nous en souviendrons.",
    'Un voyage inoubliable.',
  ],
  chapter: (n, name) => chapterTitle('Jour', n, name),
  route: {
    roundTrip: (from) => `Une boucle au départ de ${from}.`,
    fromTo: (from, to) => `De ${from} à ${to}.`,
    fromToBy: (from, to, by) => `De ${from} à ${to}, en passant par ${by}.`,
  },
};
