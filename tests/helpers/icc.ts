import type { MatrixProfile } from '../../src/render/picture/icc-profile.js';

/** Adobe RGB (1998): its colorants as Adobe's own profile states them, gamma 563/256. */
export const ADOBE_RGB: MatrixProfile = {
  name: 'Adobe RGB (1998) compatible',
  colorants: [
    [0.60974, 0.31111, 0.01947],
    [0.20528, 0.62567, 0.06087],
    [0.14919, 0.06322, 0.74457],
  ],
  curve: 563 / 256,
};

/** ProPhoto RGB (ROMM, D50 native), gamma 1.8: a wider gamut still, as some cameras and editors export. */
export const PROPHOTO_RGB: MatrixProfile = {
  name: 'ProPhoto RGB compatible',
  colorants: [
    [0.7977, 0.288, 0.0],
    [0.1352, 0.7119, 0.0],
    [0.0313, 0.0001, 0.8249],
  ],
  curve: 1.8,
};
