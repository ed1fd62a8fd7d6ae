import { z } from 'zod';
import { getMetadataByKey } from './binary.js';
import { defineDocument } from './codec.js';
import { idSchema, type Id } from './ids.js';
import { keys } from './keys.js';

/**
 * `projects/{p}/import.json` in sirtrav-runs: written (only if new) before an
 * import writes anything into the project, removed once the project is whole
 * or rolled back. While it is there the project is not whole: retention and
 * repair leave it alone, since what they would judge (a run folder without
 * its state yet, a memory index without its evaluations) is still arriving.
 */
export const importMarkerDoc = defineDocument({
  name: 'import-marker',
  version: 1,
  schema: z.object({ importId: idSchema, startedAt: z.iso.datetime() }),
});

/** Whether an import is being written into the project (a strongly consistent read, no listing). */
export async function importInProgress(projectId: Id): Promise<boolean> {
  return (await getMetadataByKey('runs', keys.importMarker(projectId).key)) !== null;
}
