/** The lengths a shot may have on screen: more than `above`, at most `most` (seconds). */
export interface LengthRange {
  above: number;
  most: number;
  /** The length a clip's shot wants: missing it costs as a cut's distance from its ideal does. */
  want?: number;
}

export interface CutPlan {
  durationSec: number;
  grid: { bpm: number; beatOffsetSec: number };
  transitionSec: number;
  /** Where each cut would fall if every shot had the length it wants, in seconds (one fewer than the shots). */
  ideal: number[];
  /** The grid the cuts keep to where they can, in beats (4: bar lines). */
  unit: number;
  /** Per shot, the lengths it may have. */
  lengths: LengthRange[];
}

interface Span {
  lo: number;
  hi: number;
}

/**
 * The cuts as beat numbers (beat 0 is the grid's first beat), one fewer than the shots, or null when no choice
 * of beats gives every shot a length in its range. Of all the choices that do, the one nearest the ideal cuts:
 * the squared distance of each cut from its ideal, in units, plus a cost for a cut off the unit (1; ½ on every
 * other beat when the unit is a bar), plus, for a shot that wants a length, its squared distance from it in units.
 * Without ranges pressing, that is each ideal cut snapped to its nearest unit.
 *
 * Each cut can only fall in a span of beats (what the shots before and after it allow), found first; when one is
 * empty nothing fits. The best choice is then found exactly by dynamic programming over the beats of each span:
 * the best cost of beat n for cut k comes from the best for cut k−1 over the beats that give shot k a length in
 * its range (a window kept with a monotonic queue, or scanned for a shot that wants a length: a clip's window is
 * a few beats wide), so the work grows with the shots times the spans' widths.
 */
export function placeCuts(plan: CutPlan): number[] | null {
  const spans = cutSpans(plan);
  if (!spans) return null;
  const { grid, ideal, unit, lengths, transitionSec, durationSec } = plan;
  const beat = 60 / grid.bpm;
  const timeOf = (n: number) => grid.beatOffsetSec + n * beat;
  const cost = (k: number, n: number) => ((n - (ideal[k]! - grid.beatOffsetSec) / beat) / unit) ** 2 + offUnit(n, unit);
  const missed = (k: number, lengthSec: number) => {
    const want = lengths[k]!.want;
    return want === undefined ? 0 : ((lengthSec - want) / (unit * beat)) ** 2;
  };

  let best = costs(spans[0]!, (n) => cost(0, n) + missed(0, timeOf(n) + transitionSec));
  const from: Array<(n: number) => number> = [];
  for (let k = 1; k < spans.length; k++) {
    const gap = gapSpan(lengths[k]!, { beat, transitionSec });
    const previous = { span: spans[k - 1]!, best };
    const minima =
      lengths[k]!.want === undefined
        ? windowMinima(previous, spans[k]!, gap)
        : windowScan(previous, spans[k]!, gap, (p, n) => missed(k, (n - p) * beat + transitionSec));
    best = costs(spans[k]!, (n) => minima.value(n) + cost(k, n));
    from.push(minima.index);
  }
  const lastSpan = spans[spans.length - 1]!;
  const total = costs(lastSpan, (n) => best[n - lastSpan.lo]! + missed(spans.length, durationSec - timeOf(n)));
  let end = lastSpan.lo;
  for (let n = lastSpan.lo; n <= lastSpan.hi; n++) if (total[n - lastSpan.lo]! < total[end - lastSpan.lo]!) end = n;
  const cuts = [end];
  for (let k = from.length - 1; k >= 0; k--) cuts.unshift(from[k]!(cuts[0]!));
  return cuts;
}

const costs = (span: Span, cost: (n: number) => number) =>
  Float64Array.from({ length: span.hi - span.lo + 1 }, (_, i) => cost(span.lo + i));

/** A cut off the unit costs as much as being a whole unit from its ideal; on every other beat of a bar, half that. */
function offUnit(n: number, unit: number): number {
  if (n % unit === 0) return 0;
  return unit === 4 && n % 2 === 0 ? 0.5 : 1;
}

/** The whole numbers n with base + n·step in `range` (step > 0). */
function within(base: number, step: number, range: LengthRange): Span {
  return { lo: Math.floor((range.above - base) / step + 1e-9) + 1, hi: Math.floor((range.most - base) / step + 1e-9) };
}

/** How many beats apart two cuts may be so that the shot between them has a length in `range`. */
function gapSpan(range: LengthRange, { beat, transitionSec }: { beat: number; transitionSec: number }): Span {
  const gaps = within(transitionSec, beat, range);
  return { lo: Math.max(1, gaps.lo), hi: gaps.hi };
}

/**
 * The beats each cut may fall on: forward from the first shot (0 to its cut plus the transition), through each
 * shot's gap, and back from the last shot (its cut to the end of the video); null when a span is empty.
 */
function cutSpans(plan: CutPlan): Span[] | null {
  const { durationSec, grid, transitionSec, lengths } = plan;
  const beat = 60 / grid.bpm;
  const cuts = lengths.length - 1;
  const beats = Math.floor((durationSec - grid.beatOffsetSec) / beat + 1e-9);
  if (cuts < 1) return null;
  const first = within(grid.beatOffsetSec + transitionSec, beat, lengths[0]!);
  const spans: Span[] = [{ lo: Math.max(0, first.lo), hi: Math.min(beats, first.hi) }];
  const gaps = lengths.slice(1, -1).map((range) => gapSpan(range, { beat, transitionSec }));
  gaps.forEach((gap, i) => spans.push({ lo: spans[i]!.lo + gap.lo, hi: Math.min(beats, spans[i]!.hi + gap.hi) }));
  // The last shot, D − (offset + n·beat), lies in its range for n in this span.
  const fromEnd = (length: number) => (durationSec - grid.beatOffsetSec - length) / beat;
  const last = lengths[cuts]!;
  const tail = { lo: Math.ceil(fromEnd(last.most) - 1e-9), hi: Math.ceil(fromEnd(last.above) - 1e-9) - 1 };
  spans[cuts - 1] = { lo: Math.max(spans[cuts - 1]!.lo, tail.lo), hi: Math.min(spans[cuts - 1]!.hi, tail.hi) };
  for (let k = cuts - 2; k >= 0; k--) {
    const gap = gaps[k]!;
    spans[k] = {
      lo: Math.max(spans[k]!.lo, spans[k + 1]!.lo - gap.hi),
      hi: Math.min(spans[k]!.hi, spans[k + 1]!.hi - gap.lo),
    };
  }
  return spans.every((span) => span.lo <= span.hi) ? spans : null;
}

/**
 * For each beat n of `span`, the least cost of the previous cut over the beats that leave a gap in `gap`, and a
 * function giving the beat it came from. Every beat of `span` has such a beat (cutSpans made sure).
 */
function windowMinima(previous: { span: Span; best: Float64Array }, span: Span, gap: Span) {
  const { span: before, best } = previous;
  const value = new Float64Array(span.hi - span.lo + 1).fill(Infinity);
  const index = new Int32Array(span.hi - span.lo + 1).fill(-1);
  const queue: number[] = [];
  let head = 0;
  let next = before.lo;
  const costAt = (p: number) => best[p - before.lo]!;
  for (let n = span.lo; n <= span.hi; n++) {
    for (; next <= Math.min(before.hi, n - gap.lo); next++) {
      // On a tie the later beat stays: the earlier one can only leave the window sooner.
      while (queue.length > head && costAt(queue[queue.length - 1]!) >= costAt(next)) queue.pop();
      queue.push(next);
    }
    while (queue.length > head && queue[head]! < n - gap.hi) head++;
    if (queue.length > head) {
      value[n - span.lo] = costAt(queue[head]!);
      index[n - span.lo] = queue[head]!;
    }
  }
  return { value: (n: number) => value[n - span.lo]!, index: (n: number) => index[n - span.lo]! };
}

/** As windowMinima, with a cost for each pair of beats (the length of the shot between them): every pair is tried. */
function windowScan(
  previous: { span: Span; best: Float64Array },
  span: Span,
  gap: Span,
  pairCost: (p: number, n: number) => number,
) {
  const { span: before, best } = previous;
  const value = new Float64Array(span.hi - span.lo + 1).fill(Infinity);
  const index = new Int32Array(span.hi - span.lo + 1).fill(-1);
  for (let n = span.lo; n <= span.hi; n++) {
    for (let p = Math.max(before.lo, n - gap.hi); p <= Math.min(before.hi, n - gap.lo); p++) {
      const candidate = best[p - before.lo]! + pairCost(p, n);
      if (candidate <= value[n - span.lo]!) {
        value[n - span.lo] = candidate;
        index[n - span.lo] = p;
      }
    }
  }
  return { value: (n: number) => value[n - span.lo]!, index: (n: number) => index[n - span.lo]! };
}
