import { log } from '../log.js';
import { keysUnder, projectFolders, runFolders, uploadFolders, walkPhases } from '../retention/walk.js';
import { defineDocument, keys, readJSON, writeJSON } from '../storage/index.js';
import {
  checkMemoryIndex,
  checkProgressLog,
  checkRunFolder,
  checkRunScopedKey,
  checkUploadFolder,
  checkVideoKey,
  type CheckContext,
} from './checks.js';
import {
  emptyCounts,
  REPAIR_PHASES,
  repairCursorSchema,
  type RepairCursor,
  type RepairPhase,
  type RepairReport,
} from './report.js';

export { repairBodySchema, repairReportSchema, type RepairReport } from './report.js';

const cursorDoc = defineDocument({ name: 'repair-cursor', version: 1, schema: repairCursorSchema });

const MAX_LISTED = 100;

/** What each phase walks, in key order, so a saved last key is a place to resume from. */
const ITEMS: Record<RepairPhase, () => AsyncGenerator<string>> = {
  videos: () => keysUnder('videos', ''),
  runs: runFolders,
  progress: () => keysUnder('progress', 'projects/'),
  audio: () => keysUnder('audio', 'projects/'),
  memory: () => projectFolders('evals'),
  uploads: uploadFolders,
};

const CHECKS: Record<RepairPhase, (item: string, context: CheckContext) => Promise<void>> = {
  videos: checkVideoKey,
  runs: checkRunFolder,
  progress: checkProgressLog,
  audio: (key, context) => checkRunScopedKey('audio', key, context),
  memory: checkMemoryIndex,
  uploads: checkUploadFolder,
};

export interface RepairOptions {
  dryRun: boolean;
  /** Stop (and, unless a dry run, save a cursor) once this much time is spent. */
  budgetMs: number;
  /** Resume the pass a previous call left unfinished (the scheduled slices do; the admin route starts afresh). */
  resume?: boolean;
  now?: Date;
}

/**
 * Checks every store against the others and repairs what disagrees (see
 * REPAIR_KINDS), walking keys a page at a time. Nothing of a queued or running
 * run is touched except to add its missing active marker. A dry run changes
 * nothing and saves no cursor.
 */
export async function runRepair(options: RepairOptions): Promise<RepairReport> {
  const started = Date.now();
  const deadline = started + options.budgetMs;
  const saved = options.resume ? ((await readJSON(keys.repairCursor(), cursorDoc))?.value ?? null) : null;
  const report: RepairReport = {
    dryRun: options.dryRun,
    found: emptyCounts(),
    repaired: emptyCounts(),
    items: [],
    complete: false,
    examined: 0,
    errors: [],
    durationMs: 0,
  };
  const context: CheckContext = {
    dryRun: options.dryRun,
    now: (options.now ?? new Date()).getTime(),
    found: report.found,
    repaired: report.repaired,
    note: (kind, key) => {
      if (report.items.length < MAX_LISTED) report.items.push(`${kind}: ${key}`);
    },
  };
  const visit = (phase: RepairPhase, item: string) => CHECKS[phase](item, context);
  const stoppedAt = await walkPhases({ phases: REPAIR_PHASES, items: ITEMS, visit, from: saved, deadline, report });
  report.complete = stoppedAt === null;
  report.durationMs = Date.now() - started;
  if (!options.dryRun && options.resume) {
    const cursor: RepairCursor = stoppedAt
      ? { ...stoppedAt, lastCompletedAt: saved?.lastCompletedAt ?? null }
      : { phase: null, lastKey: null, lastCompletedAt: new Date().toISOString() };
    await writeJSON(keys.repairCursor(), cursorDoc, cursor);
  }
  log.info('repair pass', {
    dryRun: report.dryRun,
    complete: report.complete,
    examined: report.examined,
    found: report.found,
    repaired: report.repaired,
    errors: report.errors.length,
  });
  return report;
}

/** A whole repair pass at most this often from the scheduled function; a pass under way continues every minute. */
export const REPAIR_PASS_EVERY_MS = 60 * 60 * 1000;

/**
 * The scheduled function's share of repair: continue the pass under way, or
 * start a new one once REPAIR_PASS_EVERY_MS has passed since the last ended.
 * So the stores are walked once an hour, in slices, never every minute.
 */
export async function runScheduledRepair(budgetMs: number, now = new Date()): Promise<RepairReport | null> {
  const cursor = (await readJSON(keys.repairCursor(), cursorDoc))?.value ?? null;
  const midPass = cursor?.phase != null;
  const lastEnded = cursor?.lastCompletedAt ? Date.parse(cursor.lastCompletedAt) : 0;
  if (!midPass && now.getTime() - lastEnded < REPAIR_PASS_EVERY_MS) return null;
  return runRepair({ dryRun: false, budgetMs, resume: true, now });
}
