import { errorDoc } from '../http/errors.js';

/** Binary resources answer at most 16 MiB per response (Netlify cuts responses at 20 MB and 10 s). */
export const RANGE_HEADER = {
  name: 'Range',
  description: 'bytes=start-end (one range). A range longer than 16 MiB, or open-ended, is answered with its first 16 MiB; Content-Range names the part sent and the total.',
};

export const rangeRequiredDoc = errorDoc('range_required: larger than one response carries (details.bytes, details.maxRangeBytes); fetch it in ranges');
