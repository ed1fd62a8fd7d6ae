/**
 * Invocations a run may take. Each one that starts work counts (a killed host,
 * a lapsed lease, a retryable failure left for the watchdog); past this many
 * the watchdog fails the run instead of asking for yet another.
 */
export const MAX_ATTEMPTS = 8;
