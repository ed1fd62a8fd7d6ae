import { afterEach, describe, expect, it, vi } from 'vitest';
import { lookupPlace, nearestPlace } from '../../../src/pipeline/agents/director/places.js';

afterEach(() => vi.unstubAllGlobals());

describe('places offline', () => {
  it('GPS of towns of a few thousand people on five continents gives the right town and country, with no network', () => {
    vi.stubGlobal('fetch', () => {
      throw new Error('no network in this test');
    });
    const towns: Array<[number, number, string]> = [
      [46.3683, 14.1146, 'Bled, Slovenia'], // Europe, ~5,000 people
      [46.5934, 7.9077, 'Lauterbrunnen, Switzerland'], // Europe, ~2,600
      [51.1784, -115.5708, 'Banff, Canada'], // North America, ~7,500
      [49.153, -125.9066, 'Tofino, Canada'], // North America, ~1,700
      [-13.2583, -72.2636, 'Ollantaytambo, Peru'], // South America, ~2,000
      [-54.8019, -68.303, 'Ushuaia, Argentina'], // the end of the world
      [19.3583, 98.4402, 'Pai, Thailand'], // Asia, ~2,300
      [-44.7032, 169.1321, 'Wanaka, New Zealand'], // Oceania, ~4,400
    ];
    for (const [latitude, longitude, expected] of towns) expect(nearestPlace({ latitude, longitude }), expected).toBe(expected);
  });

  it('a city is named as a city, not by the suburb or district nearest its landmark', () => {
    expect(nearestPlace({ latitude: 48.8584, longitude: 2.2945 })).toBe('Paris, France'); // the Eiffel Tower, 2.5 km from Neuilly
    expect(nearestPlace({ latitude: 40.758, longitude: -73.9855 })).toBe('New York City, United States'); // Times Square
    expect(nearestPlace({ latitude: 38.6925, longitude: -9.1769 })).toBe('Lisbon, Portugal'); // Belém, across the river from Almada
  });

  it('far from any town only the country is known, and mid-ocean nothing', () => {
    expect(lookupPlace({ latitude: -49.3, longitude: -73.0 })).toMatchObject({ town: '', country: 'Argentina' });
    expect(nearestPlace({ latitude: 30, longitude: -40 })).toBeNull();
  });
});
