import { errorFields, log } from '../log.js';
import { emptyHistogram, observe } from './histogram.js';
import { addToHour, emptyHour, hourOf, mergeHours, type MetricsHour } from './buckets.js';

/**
 * Request, agent and cache figures are counted here in memory and added to
 * the hour's bucket in Blobs by a flush that runs beside the requests, never in
 * front of them: a request pays for a few map updates, not for a write. The
 * buckets in Blobs are the truth; this is only what has not been flushed yet.
 */
let pending = new Map<string, MetricsHour>();
let lastFlush = Date.now();
let flushing: Promise<void> | undefined;
let timer: NodeJS.Timeout | undefined;

/** How long figures may wait in memory before a flush is due. */
let flushIntervalMs = 5_000;

export function setFlushInterval(ms: number): void {
  flushIntervalMs = ms;
}

function hourNow(): MetricsHour {
  const hour = hourOf(new Date());
  let figures = pending.get(hour);
  if (!figures) pending.set(hour, (figures = emptyHour(hour)));
  return figures;
}

/** Called once per answered request by the router. */
export function recordRequest(route: string, status: number, ms: number): void {
  const figures = hourNow();
  const entry = (figures.routes[route] ??= { count: 0, errors: 0, clientErrors: 0, latency: emptyHistogram() });
  entry.count += 1;
  if (status >= 500) entry.errors += 1;
  else if (status >= 400) entry.clientErrors += 1;
  observe(entry.latency, ms);
  scheduleFlush();
}

export function recordAgentDuration(agent: string, ms: number): void {
  observe((hourNow().agents[agent] ??= emptyHistogram()), ms);
  scheduleFlush();
}

export function recordCacheLookup(hit: boolean): void {
  const { cache } = hourNow();
  if (hit) cache.hits += 1;
  else cache.misses += 1;
  scheduleFlush();
}

/** A timer that does not keep the process alive; a frozen function flushes when it wakes or ends. */
function scheduleFlush(): void {
  if (timer) return;
  timer = setTimeout(() => {
    timer = undefined;
    flushMetrics().catch((error) => log.warn('metrics flush failed', errorFields(error)));
  }, flushIntervalMs);
  timer.unref();
}

/** Flushes when the interval has passed; for `waitUntil` after a response. */
export function flushMetricsIfDue(): Promise<void> {
  if (pending.size === 0 || Date.now() - lastFlush < flushIntervalMs) return Promise.resolve();
  return flushMetrics();
}

/**
 * Adds everything pending to the hourly buckets. Figures a failed write could
 * not store go back into memory for the next flush, so nothing is counted twice
 * or lost. One flush at a time per instance.
 */
export async function flushMetrics(): Promise<void> {
  while (flushing) await flushing;
  if (pending.size === 0) return;
  const batch = pending;
  pending = new Map();
  lastFlush = Date.now();
  flushing = (async () => {
    let failure: unknown;
    for (const [hour, figures] of batch) {
      try {
        await addToHour(figures);
      } catch (error) {
        const later = pending.get(hour);
        pending.set(hour, later ? mergeHours(figures, later) : figures);
        failure ??= error;
      }
    }
    if (failure) throw failure;
  })().finally(() => {
    flushing = undefined;
  });
  await flushing;
}

/** Drops what has not been flushed (tests that start from a clean slate). */
export function discardPendingMetrics(): void {
  pending = new Map();
}

/** For a function's `context.waitUntil`: a due flush runs after the response has gone. */
export function flushAfterResponse(context: { waitUntil?: (promise: Promise<unknown>) => void } | undefined): void {
  const flush = flushMetricsIfDue().catch((error) => log.warn('metrics flush failed', errorFields(error)));
  if (context?.waitUntil) context.waitUntil(flush);
}
