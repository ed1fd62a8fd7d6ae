import {
  PROGRESS_CAP,
  isTerminalEvent,
  progressLogSchema,
  type ProgressEvent,
  type ProgressInput,
  type ProgressLog,
} from '../schemas/progress.js';
import {
  CorruptBlobError,
  UNCHANGED,
  defineDocument,
  getMetadata,
  keys,
  readJSON,
  updateJSON,
  type DamagedDocument,
  type Id,
} from '../storage/index.js';

/** lastSeq rides in metadata, so a log rebuilt after damage goes on numbering after the events it lost. */
export const progressLogDoc = defineDocument({
  name: 'progress-log',
  version: 1,
  schema: progressLogSchema,
  metaOf: (log) => ({ lastSeq: log.lastSeq }),
});

/**
 * A log whose stored body cannot be read (damaged on disk, or torn before
 * documents checked themselves) starts again with one event that says so. Its
 * numbering continues after the last seq its metadata remembers, and the lost
 * events count as dropped, so a reader behind them is sent the run's snapshot.
 */
function rebuiltLog(projectId: Id, runId: Id, damaged: DamagedDocument): ProgressLog {
  const remembered = damaged.metadata.lastSeq;
  const lastSeq = typeof remembered === 'number' && Number.isInteger(remembered) && remembered >= 0 ? remembered : 0;
  const event: ProgressEvent = {
    seq: lastSeq + 1,
    ts: new Date().toISOString(),
    agent: 'pipeline',
    status: 'log_rebuilt',
    progress: 0,
    message: `The progress log could not be read (${damaged.error.reason}); its earlier events are lost.`,
  };
  return { projectId, runId, events: [event], lastSeq: lastSeq + 1, dropped: lastSeq, terminal: false };
}

/** Keeps the newest `cap` events; the terminal event is always the newest, so it is never dropped. */
function capEvents(events: ProgressEvent[], cap: number): { kept: ProgressEvent[]; dropped: number } {
  if (events.length <= cap) return { kept: events, dropped: 0 };
  const dropped = events.length - cap;
  return { kept: events.slice(dropped), dropped };
}

/**
 * Appends events to a run's log with compare-and-swap, so concurrent writers
 * (orchestrator, a cancel request, a retried invocation) never lose each other's
 * events. Each gets the next `seq` and a `progress` no lower than any before it.
 * Once the log holds a terminal event it is closed: later appends are ignored
 * and `[]` is returned.
 */
export async function appendProgress(projectId: Id, runId: Id, ...inputs: ProgressInput[]): Promise<ProgressEvent[]> {
  let appended: ProgressEvent[] = [];
  await updateJSON(
    keys.progress(projectId, runId),
    progressLogDoc,
    (current, _meta, damaged) => {
      appended = [];
      const log: ProgressLog =
        current ??
        (damaged
          ? rebuiltLog(projectId, runId, damaged)
          : { projectId, runId, events: [], lastSeq: 0, dropped: 0, terminal: false });
      if (log.terminal) return UNCHANGED;
      let floor = log.events.at(-1)?.progress ?? 0;
      let seq = log.lastSeq;
      let terminal = false;
      const ts = new Date().toISOString();
      for (const input of inputs) {
        if (terminal) break;
        floor = Math.max(floor, Math.min(1, Math.max(0, input.progress)));
        const event: ProgressEvent = {
          seq: ++seq,
          ts,
          agent: input.agent,
          status: input.status,
          progress: floor,
          ...(input.message === undefined ? {} : { message: input.message }),
          ...(input.data === undefined ? {} : { data: input.data }),
        };
        appended.push(event);
        terminal = isTerminalEvent(event);
      }
      // Nothing to add: a damaged log is still replaced by its rebuilt one.
      if (appended.length === 0) return damaged ? log : UNCHANGED;
      const { kept, dropped } = capEvents([...log.events, ...appended], PROGRESS_CAP);
      return { ...log, events: kept, lastSeq: seq, dropped: log.dropped + dropped, terminal };
    },
    { replaceDamaged: true },
  );
  return appended;
}

export interface ProgressView {
  events: ProgressEvent[];
  /** Events that fell out of the window, over the run's whole life. */
  dropped: number;
  lastSeq: number;
  /** The smallest seq still held; a reader behind it has missed events. */
  firstSeq: number;
  terminal: boolean;
  /** The change marker of the document these events were read from (see progressVersion); null when there is none. */
  version: string | null;
}

const EMPTY: Omit<ProgressView, 'events'> = { dropped: 0, lastSeq: 0, firstSeq: 1, terminal: false, version: null };

const versionOf = (metadata: Record<string, unknown>) => `${String(metadata.sha256)}@${String(metadata.updatedAt)}`;

/** The events after `afterSeq`; an absent log reads as empty, a damaged one is rebuilt (rebuiltLog) and read again. */
export async function readProgress(
  projectId: Id,
  runId: Id,
  options: { afterSeq?: number } = {},
): Promise<ProgressView> {
  const ref = keys.progress(projectId, runId);
  const doc = await readJSON(ref, progressLogDoc).catch(async (error: unknown) => {
    if (!(error instanceof CorruptBlobError)) throw error;
    await appendProgress(projectId, runId);
    return readJSON(ref, progressLogDoc);
  });
  if (!doc) return { ...EMPTY, events: [] };
  return { ...viewOf(doc.value, options.afterSeq ?? 0), version: versionOf(doc.meta) };
}

export function viewOf(log: ProgressLog, afterSeq: number): Omit<ProgressView, 'version'> {
  return {
    events: log.events.filter((event) => event.seq > afterSeq),
    dropped: log.dropped,
    lastSeq: log.lastSeq,
    firstSeq: log.events[0]?.seq ?? log.lastSeq + 1,
    terminal: log.terminal,
  };
}

/**
 * A cheap change marker for polling: the stored document's hash and update
 * time from metadata, without downloading the events.
 */
export async function progressVersion(projectId: Id, runId: Id): Promise<string | null> {
  const metadata = await getMetadata(keys.progress(projectId, runId));
  return metadata ? versionOf(metadata) : null;
}
