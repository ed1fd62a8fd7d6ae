import { z } from 'zod';
import { defineDocument, deleteKey, keys, listKeyPages, readJSON, updateJSON } from '../storage/index.js';
import { emptyHistogram, histogramSchema, mergeHistograms, type Histogram } from './histogram.js';

const routeFiguresSchema = z.object({
  count: z.number().int().nonnegative(),
  /** Answers with a 5xx status. */
  errors: z.number().int().nonnegative(),
  /** Answers with a 4xx status. */
  clientErrors: z.number().int().nonnegative(),
  latency: histogramSchema,
});
export type RouteFigures = z.infer<typeof routeFiguresSchema>;

/** One hour of figures from every function instance, merged: `ops/metrics/{YYYY-MM-DDTHH}.json`. */
export const metricsHourSchema = z.object({
  hour: z.string(),
  /** "METHOD /route/:pattern" → figures. */
  routes: z.record(z.string(), routeFiguresSchema),
  agents: z.record(z.string(), histogramSchema),
  cache: z.object({ hits: z.number().int().nonnegative(), misses: z.number().int().nonnegative() }),
});
export type MetricsHour = z.infer<typeof metricsHourSchema>;
export const metricsHourDoc = defineDocument({ name: 'metrics-hour', version: 1, schema: metricsHourSchema });

export const hourOf = (at: Date) => at.toISOString().slice(0, 13);
export const emptyHour = (hour: string): MetricsHour => ({
  hour,
  routes: {},
  agents: {},
  cache: { hits: 0, misses: 0 },
});

const emptyRoute = (): RouteFigures => ({ count: 0, errors: 0, clientErrors: 0, latency: emptyHistogram() });

/** Adds two sets of figures for the same hour: every figure is a count or a histogram, so merging is exact. */
export function mergeHours(a: MetricsHour, b: MetricsHour): MetricsHour {
  const routes: Record<string, RouteFigures> = { ...a.routes };
  for (const [name, figures] of Object.entries(b.routes)) {
    const base = routes[name] ?? emptyRoute();
    routes[name] = {
      count: base.count + figures.count,
      errors: base.errors + figures.errors,
      clientErrors: base.clientErrors + figures.clientErrors,
      latency: mergeHistograms(base.latency, figures.latency),
    };
  }
  const agents: Record<string, Histogram> = { ...a.agents };
  for (const [name, histogram] of Object.entries(b.agents))
    agents[name] = mergeHistograms(agents[name] ?? emptyHistogram(), histogram);
  return {
    hour: a.hour,
    routes,
    agents,
    cache: { hits: a.cache.hits + b.cache.hits, misses: a.cache.misses + b.cache.misses },
  };
}

/** Adds `delta` to the stored hour with compare-and-swap, so instances flushing at once lose nothing. */
export async function addToHour(delta: MetricsHour): Promise<void> {
  await updateJSON(keys.metricsHour(delta.hour), metricsHourDoc, (current) =>
    mergeHours(current ?? emptyHour(delta.hour), delta),
  );
}

export async function readHour(hour: string): Promise<MetricsHour | null> {
  return (await readJSON(keys.metricsHour(hour), metricsHourDoc))?.value ?? null;
}

/** The hours from `hours - 1` ago up to the hour of `now`, oldest first (missing hours are empty). Only hours that exist are read. */
export async function readHours(now: Date, hours: number): Promise<MetricsHour[]> {
  const names = Array.from({ length: hours }, (_, i) => hourOf(new Date(now.getTime() - (hours - 1 - i) * 3_600_000)));
  const wanted = new Set(names);
  const stored: string[] = [];
  for await (const page of listKeyPages('runs', keys.metricsPrefix())) {
    for (const key of page) {
      const hour = key.slice(keys.metricsPrefix().length, -'.json'.length);
      if (wanted.has(hour)) stored.push(hour);
    }
  }
  const found = new Map<string, MetricsHour>();
  for (let i = 0; i < stored.length; i += 24) {
    const batch = await Promise.all(stored.slice(i, i + 24).map(async (hour) => [hour, await readHour(hour)] as const));
    for (const [hour, figures] of batch) if (figures) found.set(hour, figures);
  }
  return names.map((hour) => found.get(hour) ?? emptyHour(hour));
}

/** Hourly buckets older than `keepDays` are deleted; the stats never read further back than 7 days. */
export async function pruneHours(now: Date, keepDays = 30): Promise<number> {
  const oldest = hourOf(new Date(now.getTime() - keepDays * 86_400_000));
  const stale: string[] = [];
  for await (const page of listKeyPages('runs', keys.metricsPrefix())) {
    for (const key of page) if (key.slice(keys.metricsPrefix().length, -'.json'.length) < oldest) stale.push(key);
  }
  for (const key of stale) await deleteKey('runs', key);
  return stale.length;
}
