import { listDirectories, listKeyPages, type StoreId } from '../storage/index.js';

/**
 * Keys and folders in ascending order, a page at a time (never the whole
 * listing), so a saved "last key" is a place to resume from.
 */
export async function* keysUnder(store: StoreId, prefix: string): AsyncGenerator<string> {
  for await (const page of listKeyPages(store, prefix)) yield* [...page].sort();
}

export async function* foldersUnder(store: StoreId, prefix: string): AsyncGenerator<string> {
  yield* (await listDirectories(store, prefix)).map((folder) => (folder.endsWith('/') ? folder : `${folder}/`)).sort();
}

/** `projects/{p}/` folders of a store. */
export const projectFolders = (store: StoreId) => foldersUnder(store, 'projects/');

/** The id in `projects/{p}/…`. */
export const projectIdOf = (key: string) => key.split('/')[1] ?? '';

/** `projects/{p}/runs/{r}/` folders, project by project. */
export async function* runFolders(): AsyncGenerator<string> {
  for await (const project of projectFolders('runs')) yield* foldersUnder('runs', `${project}runs/`);
}

/** `projects/{p}/uploads/{u}/` folders of chunked uploads, project by project. */
export async function* uploadFolders(): AsyncGenerator<string> {
  for await (const project of projectFolders('media')) yield* foldersUnder('media', `${project}uploads/`);
}

/** Where a pass stopped: its phase, and the last key it dealt with there (null: none yet). */
export interface PassPlace<Phase extends string> {
  phase: Phase;
  lastKey: string | null;
}

export interface PhasedPass<Phase extends string> {
  phases: readonly Phase[];
  /** Each phase's items in ascending key order. */
  items: Record<Phase, () => AsyncIterable<string>>;
  visit: (phase: Phase, item: string) => Promise<void>;
  /** Where an earlier slice of the pass stopped; null (or no phase) starts at the first phase. */
  from: { phase: Phase | null; lastKey: string | null } | null;
  deadline: number;
  /** The slice's report: every item dealt with is counted, and one that throws is listed (the first 100). */
  report: { examined: number; errors: Array<{ phase: string; key: string; message: string }> };
}

const MAX_ERRORS_LISTED = 100;

/**
 * One slice of a pass over the stores: the phases in order, each phase's items
 * in key order from where the last slice stopped, until the deadline (a slice
 * deals with at least one item). An item that throws does not stop the pass.
 * Returns where the slice stopped, or null once the last phase is done.
 */
export async function walkPhases<Phase extends string>(pass: PhasedPass<Phase>): Promise<PassPlace<Phase> | null> {
  const { report } = pass;
  const startPhase = pass.from?.phase ? pass.phases.indexOf(pass.from.phase) : 0;
  for (const phase of pass.phases.slice(startPhase)) {
    const after = pass.from?.phase === phase ? pass.from.lastKey : null;
    let last = after;
    for await (const item of pass.items[phase]()) {
      if (after !== null && item <= after) continue;
      if (Date.now() >= pass.deadline && report.examined > 0) return { phase, lastKey: last };
      try {
        await pass.visit(phase, item);
      } catch (error) {
        if (report.errors.length < MAX_ERRORS_LISTED)
          report.errors.push({ phase, key: item, message: (error as Error).message?.slice(0, 200) ?? String(error) });
      }
      report.examined++;
      last = item;
    }
  }
  return null;
}
