import { z } from 'zod';
import { getConfig } from '../config.js';
import { log } from '../log.js';
import { legacyEntriesSchema, type LegacyEntry } from '../schemas/legacy.js';
import {
  historyEntrySchema,
  memoryIndexSchema,
  MEMORY_VERSION,
  type HistoryEntry,
  type MemoryIndex,
} from '../schemas/memory.js';
import {
  CorruptBlobError,
  defineDocument,
  getMetadata,
  keys,
  openStore,
  readJSON,
  updateJSON,
  UNCHANGED,
  writeJSON,
  type Id,
} from '../storage/index.js';
import { deriveIndex } from './derive.js';
import { rebuildHistory } from './history.js';

export const MEMORY_BACKUPS = 3;
export const maxHistory = () => getConfig().SIRTRAV_MEMORY_HISTORY;

/** Version 1 was the same shape without `version`/`updatedAt` on the document. */
export const memoryIndexDoc = defineDocument({
  name: 'memory-index',
  version: MEMORY_VERSION,
  schema: memoryIndexSchema,
  migrate: (value) => {
    const parsed = z
      .object({ video_history: z.array(z.unknown()) })
      .passthrough()
      .safeParse(value);
    const history = parsed.success ? (parsed.data.video_history as HistoryEntry[]) : [];
    return deriveIndex(history, maxHistory());
  },
});

export const emptyIndex = (): MemoryIndex => deriveIndex([], maxHistory());

/** The stored index as it is, without ratings still waiting to be folded in; null when missing or from another version (a corrupt one throws CorruptBlobError). Reads only. */
export async function readMemoryIndex(projectId: Id): Promise<MemoryIndex | null> {
  const doc = await readJSON(keys.memoryIndex(projectId), memoryIndexDoc);
  return doc && doc.meta.version === MEMORY_VERSION ? doc.value : null;
}

/**
 * Brings the project's memory index up to date and returns it: ratings waiting
 * in the pending list are folded in, and a missing, corrupt or outdated index
 * is rebuilt from the evaluations (a legacy flat array of ratings is migrated
 * first); the repair is logged, and what changed is stored.
 */
export async function settleMemoryIndex(projectId: Id): Promise<MemoryIndex> {
  const pending = (await readJSON(keys.memoryPending(projectId), pendingDoc))?.value.entries ?? [];
  if (pending.length > 0) return foldPending(projectId, pending);
  return repairStoredIndex(projectId);
}

/** The stored index, rebuilt and stored again if it is missing, corrupt or outdated. */
async function repairStoredIndex(projectId: Id): Promise<MemoryIndex> {
  const ref = keys.memoryIndex(projectId);
  let reason: string;
  let legacy: LegacyEntry[] = [];
  try {
    const doc = await readJSON(ref, memoryIndexDoc);
    if (doc && doc.meta.version === MEMORY_VERSION) return doc.value;
    reason = doc ? `migrating from version ${doc.meta.version}` : 'missing';
  } catch (error) {
    if (!(error instanceof CorruptBlobError)) throw error;
    legacy = await readLegacyArray(ref.key);
    reason = legacy.length > 0 ? `migrating a legacy array of ${legacy.length} ratings` : `corrupt (${error.reason})`;
  }
  const history = await rebuildHistory(projectId, legacy);
  const index = deriveIndex(history, maxHistory());
  if (history.length > 0 || reason !== 'missing') {
    log.warn('memory index repaired from evaluations', { projectId, reason, entries: index.video_history.length });
    await writeJSON(ref, memoryIndexDoc, index);
  }
  return index;
}

/** The original SirTrav wrote a bare JSON array of ratings (no metadata). */
async function readLegacyArray(key: string): Promise<LegacyEntry[]> {
  try {
    const text = await openStore('evals').get(key, { type: 'text', consistency: 'strong' });
    const parsed = legacyEntriesSchema.safeParse(JSON.parse(text ?? ''));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/** Entries waiting to be folded into the index: rating stays constant work however long the history is. */
const pendingSchema = z.object({ entries: z.array(historyEntrySchema).max(1000) });
export const pendingDoc = defineDocument({ name: 'memory-pending', version: 1, schema: pendingSchema });

/** Entries recorded but not yet folded into the index (read only; nothing is folded). */
export async function readPendingEntries(projectId: Id): Promise<HistoryEntry[]> {
  return (await readJSON(keys.memoryPending(projectId), pendingDoc))?.value.entries ?? [];
}

/** Past this many waiting entries, the rating that adds one folds them in itself. */
export const FOLD_THRESHOLD = 50;

const sameEntry = (a: HistoryEntry, b: HistoryEntry) => JSON.stringify(a) === JSON.stringify(b);

/** A run's later rating replaces its earlier one; an unrated entry never replaces a rating. */
const supersedes = (incoming: HistoryEntry, existing: HistoryEntry | undefined) =>
  !existing || (!sameEntry(incoming, existing) && (incoming.ratedAt ?? '') >= (existing.ratedAt ?? ''));

/**
 * Records a run's entry (a completion or a rating) for the memory index. The
 * entry goes to a small pending list with compare-and-swap, so concurrent
 * ratings all count and the cost does not grow with the history; readers fold
 * pending entries into the index (see settleMemoryIndex).
 */
export async function upsertHistoryEntry(projectId: Id, entry: HistoryEntry): Promise<void> {
  const pending = await updateJSON(keys.memoryPending(projectId), pendingDoc, (current) => {
    const entries = current?.entries ?? [];
    if (
      !supersedes(
        entry,
        entries.find((item) => item.runId === entry.runId),
      )
    )
      return UNCHANGED;
    return { entries: [...entries.filter((item) => item.runId !== entry.runId), entry] };
  });
  if ((pending?.entries.length ?? 0) >= FOLD_THRESHOLD) await settleMemoryIndex(projectId);
}

/**
 * Applies pending entries to the index (compare-and-swap), then removes from
 * the pending list exactly the entries applied; anything added meanwhile stays.
 * Applying an entry twice changes nothing, so a crash in between is harmless.
 */
async function foldPending(projectId: Id, pending: HistoryEntry[]): Promise<MemoryIndex> {
  const fold = () =>
    updateJSON(keys.memoryIndex(projectId), memoryIndexDoc, (current, meta) => {
      // Projects start with an empty index, so a missing one was lost: rebuild it from the evaluations first.
      if (!current || (meta && meta.version !== MEMORY_VERSION)) throw new OutdatedIndex();
      const history = current.video_history;
      const fresh = pending.filter((entry) =>
        supersedes(
          entry,
          history.find((item) => item.runId === entry.runId),
        ),
      );
      if (fresh.length === 0) return UNCHANGED;
      const replaced = new Set(fresh.map((entry) => entry.runId));
      return deriveIndex([...history.filter((item) => !replaced.has(item.runId)), ...fresh], maxHistory());
    });
  let next: MemoryIndex | null;
  try {
    next = await fold();
  } catch (error) {
    // An unreadable or outdated index is repaired first, then folded into.
    if (!(error instanceof CorruptBlobError) && !(error instanceof OutdatedIndex)) throw error;
    await repairStoredIndex(projectId);
    next = await fold();
  }
  await updateJSON(keys.memoryPending(projectId), pendingDoc, (current) => {
    if (!current) return UNCHANGED;
    const left = current.entries.filter((entry) => !pending.some((applied) => sameEntry(applied, entry)));
    return left.length === current.entries.length ? UNCHANGED : { entries: left };
  });
  const index = next ?? emptyIndex();
  await writeBackup(projectId, index);
  return index;
}

class OutdatedIndex extends Error {}

/** A backup slot covers this long; each slot is rewritten at most once per period. */
const BACKUP_PERIOD_MS = 10 * 60 * 1000;

/**
 * Keeps three earlier states in rotating slots, one per ten-minute period: the
 * slot for the current period is written once, so most updates cost one HEAD.
 */
async function writeBackup(projectId: Id, index: MemoryIndex): Promise<void> {
  const period = Math.floor(Date.now() / BACKUP_PERIOD_MS);
  const ref = keys.memoryBackup(projectId, period % MEMORY_BACKUPS);
  const written = await getMetadata(ref);
  if (written && Math.floor(Date.parse(String(written.updatedAt)) / BACKUP_PERIOD_MS) === period) return;
  await writeJSON(ref, memoryIndexDoc, index);
}
