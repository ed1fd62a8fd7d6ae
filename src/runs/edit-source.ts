import { applyEdits, EditError, type Replacement } from '../edits/index.js';
import { AppError } from '../errors.js';
import { isCurrent } from '../media/analyse.js';
import { getMedia } from '../media/library.js';
import { chooseFraming } from '../render/picture/framing.js';
import type { Edit } from '../schemas/edit.js';
import type { Storyboard } from '../schemas/run.js';
import type { Id } from '../storage/index.js';
import { readRunState } from './state.js';

/**
 * The storyboard an edit run will render: its source's with the edits applied.
 * Refused with 422 (and the edit's index, where one edit is at fault) when the
 * source is not a complete run of this project, or an edit cannot apply; it
 * reads only, so a refused edit leaves nothing behind.
 */
export async function editedStoryboard(projectId: Id, editOf: Id, edits: Edit[]): Promise<Storyboard> {
  const source = await readRunState(projectId, editOf);
  if (!source)
    throw new AppError(422, 'edit_source_not_found', `Run ${editOf} is not a run of this project.`, {
      details: { editOf },
    });
  if (source.status !== 'complete')
    throw new AppError(
      422,
      'edit_source_not_complete',
      `Run ${editOf} is ${source.status}: only a complete run can be edited.`,
      {
        details: { editOf, status: source.status },
      },
    );
  const replacements = new Map<string, Replacement>();
  const clipSec = await clipLengths(projectId, source.storyboard);
  const frame = { width: source.storyboard.width, height: source.storyboard.height };
  for (const [index, edit] of edits.entries()) {
    if (edit.op !== 'replace') continue;
    const media = await getMedia(projectId, edit.mediaId);
    if (!media) throw new EditError(index, edit, `photo ${edit.mediaId} is not in this project`);
    if (media.kind === 'clip') {
      replacements.set(edit.mediaId, { kind: 'clip' });
      if (media.durationSec !== undefined) clipSec.set(edit.mediaId, media.durationSec);
      continue;
    }
    // Its subject as measured at upload: the shot crops around it, or shows it whole when no crop can hold it.
    const focus = isCurrent(media.analysis) ? media.analysis.focus : null;
    replacements.set(edit.mediaId, { kind: 'photo', focus, ...chooseFraming(media, frame, focus) });
  }
  return applyEdits(source.storyboard, edits, { replacements, clipSec });
}

/**
 * The length of each clip the source's shots play, so an edit that lengthens a clip's shot can start it earlier
 * (a clip deleted since is left out: its shot keeps its start).
 */
async function clipLengths(projectId: Id, storyboard: Storyboard): Promise<Map<string, number>> {
  const ids = new Set(storyboard.shots.flatMap((shot) => (shot.kind === 'clip' && shot.mediaId ? [shot.mediaId] : [])));
  const found = await Promise.all(
    [...ids].map(async (mediaId) => {
      const media = await getMedia(projectId, mediaId);
      return media?.durationSec === undefined ? [] : [[mediaId as string, media.durationSec] as const];
    }),
  );
  return new Map(found.flat());
}
