import { failureCountsByClass } from '../failures/search.js';
import { getMetadataByKey, listWithSizes, STORE_IDS, STORE_NAMES } from '../storage/index.js';
import type { Stats } from '../schemas/operations.js';
import { readHours, type MetricsHour } from '../metrics/buckets.js';
import { emptyHistogram, mergeHistograms, summarizeHistogram, type Histogram } from '../metrics/histogram.js';
import { flushMetrics } from '../metrics/metrics.js';

const DAY_MS = 86_400_000;
const RUN_STATE_KEY = /^projects\/[A-Za-z0-9_-]{1,64}\/runs\/r_([0-9a-z]{9})[A-Za-z0-9_-]*\/state\.json$/;
const STATUSES = ['queued', 'running', 'complete', 'failed', 'cancelled'] as const;

const zeroRuns = (): Record<string, number> => Object.fromEntries(STATUSES.map((status) => [status, 0]));

interface RunTally {
  last24h: Record<string, number>;
  last7d: Record<string, number>;
  perDay: Map<string, Record<string, number>>;
}

/** Run ids begin with their creation time, so the listing alone says which runs are recent. */
async function tallyRuns(keys: string[], now: number, tally: RunTally): Promise<void> {
  const recent = keys
    .map((key) => ({ key, match: RUN_STATE_KEY.exec(key) }))
    .filter((item): item is { key: string; match: RegExpExecArray } => item.match !== null)
    .map(({ key, match }) => ({ key, createdAt: parseInt(match[1]!, 36) }))
    .filter((run) => now - run.createdAt < 7 * DAY_MS && run.createdAt <= now + 60_000);
  for (let i = 0; i < recent.length; i += 16) {
    // The status rides in the state's metadata: a HEAD, not a download.
    const statuses = await Promise.all(
      recent.slice(i, i + 16).map(async (run) => ({ run, status: (await getMetadataByKey('runs', run.key))?.status })),
    );
    for (const { run, status } of statuses) {
      if (typeof status !== 'string') continue;
      tally.last7d[status] = (tally.last7d[status] ?? 0) + 1;
      if (now - run.createdAt < DAY_MS) tally.last24h[status] = (tally.last24h[status] ?? 0) + 1;
      const day = tally.perDay.get(new Date(run.createdAt).toISOString().slice(0, 10));
      if (day) day[status] = (day[status] ?? 0) + 1;
    }
  }
}

function summarizeHours(hours: MetricsHour[]) {
  const agents = new Map<string, Histogram>();
  const routes = new Map<string, { count: number; errors: number; clientErrors: number; latency: Histogram }>();
  let hits = 0;
  let misses = 0;
  for (const hour of hours) {
    for (const [agent, histogram] of Object.entries(hour.agents))
      agents.set(agent, mergeHistograms(agents.get(agent) ?? emptyHistogram(), histogram));
    for (const [route, figures] of Object.entries(hour.routes)) {
      const base = routes.get(route) ?? { count: 0, errors: 0, clientErrors: 0, latency: emptyHistogram() };
      routes.set(route, {
        count: base.count + figures.count,
        errors: base.errors + figures.errors,
        clientErrors: base.clientErrors + figures.clientErrors,
        latency: mergeHistograms(base.latency, figures.latency),
      });
    }
    hits += hour.cache.hits;
    misses += hour.cache.misses;
  }
  const rate = (part: number, whole: number) => (whole === 0 ? 0 : Math.round((part / whole) * 10_000) / 10_000);
  return {
    agents: Object.fromEntries([...agents].map(([agent, histogram]) => [agent, summarizeHistogram(histogram)])),
    routes: Object.fromEntries(
      [...routes].map(([route, f]) => [
        route,
        {
          ...summarizeHistogram(f.latency),
          errorRate: rate(f.errors, f.count),
          clientErrorRate: rate(f.clientErrors, f.count),
        },
      ]),
    ),
    cache: { hits, misses, hitRate: rate(hits, hits + misses) },
  };
}

function latencySeries(hours: MetricsHour[]): Stats['series']['latency'] {
  return hours.map((hour) => {
    let all = emptyHistogram();
    let errors = 0;
    for (const figures of Object.values(hour.routes)) {
      all = mergeHistograms(all, figures.latency);
      errors += figures.errors;
    }
    return {
      hour: hour.hour,
      ...summarizeHistogram(all),
      errorRate: all.count === 0 ? 0 : Math.round((errors / all.count) * 10_000) / 10_000,
    };
  });
}

/**
 * Everything an operator sees: stores (listed page by page, sizes from the
 * listing), runs of the last 7 days by status, and the last 7 days of hourly
 * buckets for agents, routes and the media cache.
 */
export async function computeStats(now = new Date()): Promise<Stats> {
  const started = performance.now();
  // This instance's own figures count too.
  await flushMetrics().catch(() => undefined);
  const nowMs = now.getTime();
  const perDay = new Map(
    Array.from(
      { length: 7 },
      (_, i) => [new Date(nowMs - (6 - i) * DAY_MS).toISOString().slice(0, 10), zeroRuns()] as const,
    ),
  );
  const tally: RunTally = { last24h: zeroRuns(), last7d: zeroRuns(), perDay };
  const stores: Stats['stores'] = {};
  for (const id of STORE_IDS) {
    let blobs = 0;
    let bytes = 0;
    for await (const page of listWithSizes(id)) {
      blobs += page.length;
      for (const blob of page) bytes += blob.bytes;
      if (id === 'runs')
        await tallyRuns(
          page.map((blob) => blob.key),
          nowMs,
          tally,
        );
    }
    stores[STORE_NAMES[id]] = { blobs, bytes };
  }
  const hours = await readHours(now, 7 * 24);
  const summary = summarizeHours(hours);
  return {
    stores,
    runs: tally.last7d,
    runWindows: { last24h: tally.last24h, last7d: tally.last7d },
    agents: summary.agents,
    failures: await failureCountsByClass(),
    routes: summary.routes,
    cache: summary.cache,
    series: { latency: latencySeries(hours.slice(-24)), runsPerDay: [...perDay].map(([day, runs]) => ({ day, runs })) },
    window: { from: new Date(nowMs - 7 * DAY_MS).toISOString(), to: now.toISOString() },
    computeMs: Math.round(performance.now() - started),
    generatedAt: new Date().toISOString(),
  };
}
