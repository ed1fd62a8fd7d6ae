import { z } from 'zod';

/**
 * A mergeable latency histogram with fixed logarithmic buckets: each bucket is
 * 10 % wider than the one before, so any percentile is within ~5 % of the truth,
 * and two histograms (two hours, two function instances) merge by adding counts.
 */
export const histogramSchema = z.object({
  /** bucket index → count; sparse. */
  buckets: z.record(z.string().regex(/^-?\d{1,4}$/), z.number().int().nonnegative()),
  count: z.number().int().nonnegative(),
  sumMs: z.number().nonnegative(),
  maxMs: z.number().nonnegative(),
});
export type Histogram = z.infer<typeof histogramSchema>;

const GROWTH = 1.1;
const LOG_GROWTH = Math.log(GROWTH);
/** Everything below 10 µs shares the first bucket. */
const FLOOR_MS = 0.01;

export const emptyHistogram = (): Histogram => ({ buckets: {}, count: 0, sumMs: 0, maxMs: 0 });

export function bucketOf(ms: number): number {
  return Math.floor(Math.log(Math.max(ms, FLOOR_MS) / FLOOR_MS) / LOG_GROWTH);
}

/** The middle of a bucket (geometric), the value a percentile in it reports. */
const bucketValue = (index: number) => FLOOR_MS * GROWTH ** (index + 0.5);

export function observe(histogram: Histogram, ms: number): void {
  const value = Number.isFinite(ms) && ms > 0 ? ms : 0;
  const key = String(bucketOf(value));
  histogram.buckets[key] = (histogram.buckets[key] ?? 0) + 1;
  histogram.count += 1;
  histogram.sumMs += value;
  histogram.maxMs = Math.max(histogram.maxMs, value);
}

/** A new histogram holding both; neither input changes. */
export function mergeHistograms(a: Histogram, b: Histogram): Histogram {
  const buckets = { ...a.buckets };
  for (const [key, count] of Object.entries(b.buckets)) buckets[key] = (buckets[key] ?? 0) + count;
  return { buckets, count: a.count + b.count, sumMs: a.sumMs + b.sumMs, maxMs: Math.max(a.maxMs, b.maxMs) };
}

/** The value under which a fraction `q` (0..1) of observations fall; null with no observations. */
export function percentile(histogram: Histogram, q: number): number | null {
  if (histogram.count === 0) return null;
  const rank = Math.max(1, Math.ceil(q * histogram.count));
  const ordered = Object.entries(histogram.buckets)
    .map(([key, count]) => [Number(key), count] as const)
    .sort((x, y) => x[0] - y[0]);
  let seen = 0;
  for (const [index, count] of ordered) {
    seen += count;
    if (seen >= rank) return Math.min(round(bucketValue(index)), round(histogram.maxMs));
  }
  return round(histogram.maxMs);
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export function summarizeHistogram(histogram: Histogram): {
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  count: number;
} {
  return {
    p50Ms: percentile(histogram, 0.5),
    p95Ms: percentile(histogram, 0.95),
    p99Ms: percentile(histogram, 0.99),
    count: histogram.count,
  };
}
