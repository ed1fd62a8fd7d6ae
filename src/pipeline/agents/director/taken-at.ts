/** Milliseconds for ordering; a time without an offset is ordered as if it were UTC. */
export function takenAtMs(takenAt: string | null): number | null {
  if (!takenAt) return null;
  const ms = Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(takenAt) ? takenAt : `${takenAt}Z`);
  return Number.isNaN(ms) ? null : ms;
}
