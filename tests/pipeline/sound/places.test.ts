import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gazetteer } from '../../../src/pipeline/agents/director/gazetteer.js';
import { lookupPlace, nearestPlace, placeLabel, sharedArea } from '../../../src/pipeline/agents/director/places.js';

// Every lookup here runs with the network refused: the gazetteer, borders, land and seas ship with the packages.
beforeAll(() =>
  vi.stubGlobal('fetch', () => {
    throw new Error('no network in this test');
  }),
);
afterAll(() => vi.unstubAllGlobals());

const named = (latitude: number, longitude: number) => nearestPlace({ latitude, longitude });

describe('towns down to a few hundred people', () => {
  it('Hallstatt-sized villages on four continents give the right town and country', () => {
    const villages: Array<[number, number, string]> = [
      [47.5622, 13.6493, 'Hallstatt, Austria'], // ~780 people, 9 km from Gosau (1,800)
      [67.9322, 13.0887, 'Reine, Norway'], // Lofoten, ~300
      [42.4867, 18.6992, 'Perast, Montenegro'], // ~550, on the Bay of Kotor 5 km from Kotor
      [59.4583, -135.3139, 'Skagway, United States'], // Alaska, ~900
      [58.7684, -94.165, 'Churchill, Canada'], // Hudson Bay, ~900
      [-42.4008, 173.6814, 'Kaikoura, New Zealand'], // ~700
      [-43.8036, 172.9681, 'Akaroa, New Zealand'], // ~700
      [-49.3314, -72.8861, 'El Chaltén, Argentina'], // ~800
      [-54.9333, -67.6167, 'Puerto Williams, Chile'], // south of Ushuaia, across the Beagle Channel
    ];
    for (const [latitude, longitude, expected] of villages) expect(named(latitude, longitude), expected).toBe(expected);
  });

  it('towns of a few thousand people on five continents', () => {
    const towns: Array<[number, number, string]> = [
      [46.3683, 14.1146, 'Bled, Slovenia'],
      [46.5934, 7.9077, 'Lauterbrunnen, Switzerland'],
      [51.1784, -115.5708, 'Banff, Canada'],
      [49.153, -125.9066, 'Tofino, Canada'],
      [-13.2583, -72.2636, 'Ollantaytambo, Peru'],
      [-54.8019, -68.303, 'Ushuaia, Argentina'],
      [19.3583, 98.4402, 'Pai, Thailand'],
      [-44.7032, 169.1321, 'Wanaka, New Zealand'],
      [-25.2406, 130.9889, 'Yulara, Australia'], // by Uluru
    ];
    for (const [latitude, longitude, expected] of towns) expect(named(latitude, longitude), expected).toBe(expected);
  });

  it('a city is named as a city, not by the suburb or district nearest its landmark', () => {
    expect(named(48.8584, 2.2945)).toBe('Paris, France'); // the Eiffel Tower, 2.5 km from Neuilly
    expect(named(40.758, -73.9855)).toBe('New York City, United States'); // Times Square
    expect(named(38.6925, -9.1769)).toBe('Lisbon, Portugal'); // Belém, across the river from Almada
  });

  it('a city-state is said once', () => {
    expect(named(1.2834, 103.8607)).toBe('Singapore');
    expect(named(41.9022, 12.4539)).toBe('Vatican City'); // St Peter's, 2 km from the centre of Rome
  });

  it('a hike some kilometres out of a village is still named by it, with its region known', () => {
    expect(named(-49.2712, -73.0431)).toBe('El Chaltén, Argentina'); // Fitz Roy's summit, 12 km away
    expect(named(-25.6953, -54.4367)).toBe('Puerto Iguazú, Argentina'); // the falls, 17 km from the town
    expect(lookupPlace({ latitude: 47.5622, longitude: 13.6493 })).toMatchObject({
      town: 'Hallstatt',
      region: 'Upper Austria',
      countryCode: 'AT',
    });
  });
});

describe('borders', () => {
  it('a point near a border is named on the side it is on', () => {
    expect(named(51.4383, 4.9319)).toBe('Baarle-Hertog, Belgium'); // a Belgian enclave inside the Dutch village of Baarle-Nassau
    expect(named(51.4475, 4.9292)).toBe('Baarle-Nassau, Netherlands');
    expect(named(46.2557, 6.1063)).toBe('Ferney-Voltaire, France'); // 5 km from the centre of Geneva
    expect(named(48.5727, 7.8157)).toBe('Kehl, Germany'); // across the Rhine from Strasbourg
    expect(named(57.7772, 26.0466)).toBe('Valga, Estonia');
    expect(named(57.7751, 26.0162)).toBe('Valka, Latvia'); // the same town, split by the border
  });

  it('in disputed land a town and the desert around it are said to be in the same country', () => {
    expect(named(45.35, 36.47)).toBe('Kerch, Ukraine');
    expect(named(45.21, 36.72)).toBe('Taman’, Russia'); // across the Kerch Strait
    expect(named(23.7, -15.93)).toBe('Dakhla, Western Sahara');
    expect(named(25, -13)).toBe('Western Sahara'); // the desert, far from towns
    expect(named(27.95, -11.1)).not.toContain('Western Sahara'); // north of 27°40' N: Morocco
    expect(named(35.3417, 33.3192)).toBe('Kyrenia, Cyprus');
  });
});

describe('far from towns, and at sea', () => {
  it('on land far from any town the region or country is said, never a town a hundred kilometres away', () => {
    expect(named(-25.0, 130.0)).toBe('Northern Territory, Australia'); // the outback, 100 km from Yulara
    expect(named(23.0, 10.0)).toBe('Algeria'); // the Sahara
    expect(named(72.0, -40.0)).toBe('Greenland'); // the ice sheet
    // Death Valley: the nearest towns are in California and in Nevada, so no region is claimed.
    expect(named(36.5, -117.0)).toBe('United States');
  });

  it('at sea the sea or ocean is named, not the nearest coast', () => {
    expect(named(30, -40)).toBe('Atlantic Ocean');
    expect(named(38.7, -10.8)).toBe('Atlantic Ocean'); // 150 km off Lisbon
    expect(named(0, -150)).toBe('Pacific Ocean');
    expect(named(-20, 80)).toBe('Indian Ocean');
    expect(named(34.5, 16)).toBe('Mediterranean Sea'); // between Sicily and Libya
    expect(named(56, 3)).toBe('North Sea');
    expect(named(15, -75)).toBe('Caribbean Sea');
    expect(named(60, -85)).toBe('Hudson Bay');
    expect(named(-11, 127)).toBe('Indian Ocean'); // the Timor Sea, between Timor and Australia
    expect(named(90, 0)).toBe('Arctic Ocean'); // the North Pole
    expect(lookupPlace({ latitude: 30, longitude: -40 })).toMatchObject({ town: '', country: '', atSea: true });
  });
});

describe('the ends of the Earth', () => {
  it('Antarctica, at the pole and at its one town', () => {
    expect(named(-90, 0)).toBe('Antarctica');
    expect(named(-80, -175)).toBe('Antarctica'); // the Ross Ice Shelf
    expect(named(-77.85, 166.67)).toBe('McMurdo Station, Antarctica');
  });

  it('Svalbard and the high Arctic', () => {
    expect(named(78.2232, 15.6356)).toBe('Longyearbyen, Svalbard');
    expect(named(78.925, 11.93)).toBe('Svalbard'); // Ny-Ålesund, a research station of a few dozen people
    expect(named(71.1685, 25.7838)).toBe('Honningsvåg, Norway'); // the North Cape, 22 km from the nearest town
  });

  it('the antimeridian: either side of 180° is the same place, and neighbours are found across it', () => {
    expect(named(-16.8, 179.99)).toBe('Fiji'); // Taveuni, which the 180th meridian crosses
    expect(named(-16.8, -179.99)).toBe('Fiji');
    expect(named(-16.8, 180)).toBe(named(-16.8, -180));
    expect(named(-16.8, 540)).toBe(named(-16.8, 180));
    expect(named(1.3298, 172.979)).toBe('Tarawa, Kiribati'); // Kiribati west of the antimeridian
    expect(named(1.9849, -157.475)).toBe('London Village, Kiribati'); // and east of it, on Kiritimati
    // Chukotka at 179.5° E: the towns that name its region lie at 179° W.
    expect(gazetteer().near({ latitude: 66.32, longitude: 179.5 }, 1, 100)[0]).toMatchObject({
      name: 'Egvekinot',
      countryCode: 'RU',
    });
    expect(named(67.5, 179.5)).toBe('Chukotka, Russia');
    expect(named(71.2, -179.5)).toBe('Russia'); // Wrangel Island, land east of the antimeridian, far from any town
  });

  it('coordinates that are not on Earth have no place', () => {
    expect(named(Number.NaN, 10)).toBeNull();
    expect(named(95, 10)).toBeNull();
  });
});

describe('a scene through many places', () => {
  it('is named by the region its places share, else by their country', () => {
    const villages = [
      [47.5622, 13.6493], // Hallstatt
      [47.5574, 13.6865], // Obertraun
      [47.5842, 13.5345], // Gosau
    ].map(([latitude, longitude]) => lookupPlace({ latitude: latitude!, longitude: longitude! })!);
    expect(placeLabel(sharedArea(villages)!)).toBe('Upper Austria, Austria');
    const acrossRegions = [...villages, lookupPlace({ latitude: 47.8095, longitude: 13.055 })!]; // and Salzburg
    expect(placeLabel(sharedArea(acrossRegions)!)).toBe('Austria');
    expect(sharedArea([...villages, lookupPlace({ latitude: 46.3683, longitude: 14.1146 })!])).toBeNull(); // and Bled, Slovenia
  });
});

describe('cost', () => {
  it('a lookup takes well under a millisecond once the data is read', () => {
    lookupPlace({ latitude: 0, longitude: 0 });
    const points = Array.from({ length: 2000 }, (_, i) => ({
      latitude: -80 + ((i * 7919) % 16000) / 100,
      longitude: -180 + ((i * 104729) % 36000) / 100,
    }));
    const started = performance.now();
    for (const point of points) lookupPlace(point);
    // Measured at about 0.2 ms; the bound leaves room for a loaded machine.
    expect((performance.now() - started) / points.length).toBeLessThan(2);
  });
});
