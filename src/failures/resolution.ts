import { AppError } from '../errors.js';
import { failureDoc } from './episodes.js';
import { keys, updateJSON, type Id } from '../storage/index.js';
import { findEntry, patchEntry } from './index-store.js';
import type { ResolutionNote } from './reflection.js';

const episodeMissing = (runId: Id) =>
  new AppError(404, 'failure_not_found', `The failure episode of run ${runId} is missing.`);

/**
 * Records what actually fixed a failure: first in the episode's reflection (a
 * new note replaces an older operator note), then in the search index, where a
 * later similar failure in any project finds it.
 */
export async function recordResolution(
  runId: Id,
  text: string,
): Promise<{ runId: Id; projectId: Id; resolution: string; at: string }> {
  const entry = await findEntry(runId);
  if (!entry)
    throw new AppError(
      404,
      'failure_not_found',
      `No failure episode is indexed for run ${runId}; rebuild the index if it was just restored.`,
    );
  const projectId = entry.projectId;
  const at = new Date().toISOString();
  const note: ResolutionNote = { text, source: 'operator', runId, projectId, at };
  const updated = await updateJSON(keys.runFailure(projectId, runId), failureDoc, (episode) => {
    if (!episode) throw episodeMissing(runId);
    if (!episode.reflection)
      throw new AppError(
        409,
        'no_reflection',
        `The failure of run ${runId} predates reflections; rebuild the index first.`,
      );
    const others = episode.reflection.resolutions.filter((existing) => existing.source !== 'operator');
    return { ...episode, reflection: { ...episode.reflection, resolutions: [note, ...others].slice(0, 10) } };
  });
  if (!updated) throw episodeMissing(runId);
  await patchEntry(runId, (current) => ({ ...current, resolution: text }));
  return { runId, projectId, resolution: text, at };
}
