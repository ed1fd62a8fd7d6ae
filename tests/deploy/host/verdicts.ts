/** Names of the limits a violation can cross (the keys of the host's `Limits`, less the retry delays). */
export type LimitName =
  'requestBytes' | 'responseBytes' | 'syncMs' | 'streamMs' | 'backgroundMs' | 'scheduledMs' | 'memoryBytes';

export interface Violation {
  functionName: string;
  /**
   * The Netlify limit crossed, or a failure no waiting can mend: `brokenBundle`, a function that cannot load
   * (a module missing from its zip), and `backgroundFailures`, a background function failing
   * `backgroundFailuresInARow` invocations running, retries included.
   */
  limit: LimitName | 'brokenBundle' | 'backgroundFailures';
  /** What happened, with the tail of the function's stderr where it tells why. */
  detail: string;
}

/** The first violation a host records, as the reason its `failed` signal is aborted with. */
export class DeployHostViolation extends Error {
  constructor(readonly violation: Violation) {
    super(`${violation.functionName} ${violation.limit}: ${violation.detail}`);
    this.name = 'DeployHostViolation';
  }
}

/** Module resolution errors: the same bundle fails the same way on every retry. */
const MISSING_MODULE_CODES = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);
/** How much of a function's stderr a violation quotes. */
const STDERR_TAIL_CHARS = 3000;

export const isMissingModule = (code: string | null | undefined) => MISSING_MODULE_CODES.has(code ?? '');

/**
 * What the deploy host holds against the functions it serves: the violations, each function's recent stderr
 * (quoted in them), and each background function's streak of failed invocations. The first violation aborts
 * `failed`, so a test waiting on the host ends at once and says why rather than at its timeout.
 */
export class Verdicts {
  readonly violations: Violation[] = [];
  private readonly failure = new AbortController();
  private readonly stderr = new Map<string, string>();
  private readonly streaks = new Map<string, number>();

  constructor(private readonly failuresInARow: number) {}

  get failed(): AbortSignal {
    return this.failure.signal;
  }

  record(violation: Violation): void {
    this.violations.push(violation);
    if (!this.failure.signal.aborted) this.failure.abort(new DeployHostViolation(violation));
  }

  keepStderr(functionName: string, text: string): void {
    this.stderr.set(functionName, ((this.stderr.get(functionName) ?? '') + text).slice(-STDERR_TAIL_CHARS));
  }

  stderrTail(functionName: string): string {
    return `\n--- ${functionName} stderr (tail) ---\n${(this.stderr.get(functionName) ?? '').trimEnd() || '(empty)'}`;
  }

  /**
   * Counts a background invocation's outcome towards its function's streak of failures; true when the function
   * is given up on: a broken bundle at once, otherwise once the streak reaches its bound (recorded once).
   */
  givesUp(functionName: string, outcome: 'done' | 'failed' | 'killed' | 'broken'): boolean {
    if (outcome === 'done') {
      this.streaks.set(functionName, 0);
      return false;
    }
    if (outcome === 'broken') return true;
    const streak = (this.streaks.get(functionName) ?? 0) + 1;
    this.streaks.set(functionName, streak);
    if (streak === this.failuresInARow)
      this.record({
        functionName,
        limit: 'backgroundFailures',
        detail: `${functionName} failed ${streak} invocations in a row${this.stderrTail(functionName)}`,
      });
    return streak >= this.failuresInARow;
  }
}
