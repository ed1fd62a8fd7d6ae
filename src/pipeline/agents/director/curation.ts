import type { Media } from '../../../schemas/media.js';
import type { CurationSkip } from '../../../schemas/run.js';
import type { PhotoFacts } from '../../../media/analyse.js';
import { BLURRY_BELOW } from '../../../media/sharpness.js';
import { takenAtMs } from './taken-at.js';

/**
 * Bits that differ between two perceptual hashes (strings of 0 and 1), as sharp-phash/distance counts them: written
 * here, since the bundler cannot trace that package and the API functions, which import this module, do not ship it.
 */
function hammingDistance(a: string, b: string): number {
  let count = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) count++;
  return count;
}

/** Hashes at most this many bits apart (of 64) show the same picture. */
const DUPLICATE_BITS = 10;
/** Without both times, only near-identical hashes count as duplicates. */
const DUPLICATE_BITS_UNTIMED = 4;
/** Two shots of one moment are taken within this many milliseconds of each other. */
const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;

export interface Curated {
  kept: Media[];
  skipped: CurationSkip[];
}

const quality = (facts: PhotoFacts, medianSharpness: number) =>
  Math.min(2, facts.sharpness / Math.max(1, medianSharpness)) + facts.exposure;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)]!;
}

function isDuplicate(a: Media, b: Media, fa: PhotoFacts, fb: PhotoFacts): boolean {
  const bits = hammingDistance(fa.hash, fb.hash);
  const ta = takenAtMs(a.takenAt);
  const tb = takenAtMs(b.takenAt);
  if (ta === null || tb === null) return bits <= DUPLICATE_BITS_UNTIMED;
  return Math.abs(ta - tb) <= DUPLICATE_WINDOW_MS && bits <= DUPLICATE_BITS;
}

/**
 * Leaves out what a person would: photos that cannot be read, all but the best
 * of near-duplicates (same picture, taken moments apart: the sharper,
 * better-exposed one stays), and photos whose sharpest part is clearly soft
 * (see media/sharpness.ts: judged on its own, not against the set), but never
 * so many that fewer than `minimum` photos remain. `ordered` is in time order;
 * `facts` is null for a photo that could not be decoded.
 */
export function curatePhotos(ordered: Media[], facts: Map<string, PhotoFacts | null>, minimum: number): Curated {
  const skipped: CurationSkip[] = [];
  let kept = ordered.filter((item) => {
    if (facts.get(item.mediaId)) return true;
    skipped.push({ mediaId: item.mediaId, reason: 'unreadable' });
    return false;
  });
  const factsOf = (item: Media) => facts.get(item.mediaId)!;
  const typical = median(kept.map((item) => factsOf(item).sharpness));

  // Duplicates: each photo is compared with the ones kept just before it (in time order they are neighbours).
  const survivors: Media[] = [];
  for (const item of kept) {
    const twin = survivors.slice(-3).find((other) => isDuplicate(other, item, factsOf(other), factsOf(item)));
    if (!twin || survivors.length + (kept.length - kept.indexOf(item)) <= minimum) {
      survivors.push(item);
      continue;
    }
    const [keep, drop] =
      quality(factsOf(item), typical) > quality(factsOf(twin), typical) ? [item, twin] : [twin, item];
    if (keep === item) survivors.splice(survivors.indexOf(twin), 1, item);
    skipped.push({ mediaId: drop.mediaId, reason: 'duplicate', similarTo: keep.mediaId });
  }
  kept = survivors;

  // Blurry: the least sharp first, while enough photos remain. A photo too flat to judge (null) is never blurry.
  const peak = (item: Media) => factsOf(item).peakSharpness ?? Infinity;
  const blurry = kept.filter((item) => peak(item) < BLURRY_BELOW).sort((a, b) => peak(a) - peak(b));
  for (const item of blurry) {
    if (kept.length <= minimum) break;
    kept = kept.filter((other) => other !== item);
    skipped.push({ mediaId: item.mediaId, reason: 'blurry', measure: peak(item), threshold: BLURRY_BELOW });
  }
  return { kept, skipped };
}
