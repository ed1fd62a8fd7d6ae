import { isAppError } from '../errors.js';
import type { ShareRecord } from '../schemas/share.js';
import { videoOf, type RunVideo } from '../runs/video.js';
import { videoIsStored, type Id } from '../storage/index.js';
import { readLiveShare, shareNotFound } from './records.js';

export { createShare, listRunShares, revokeShare, shareNotFound, shareOfMarker } from './records.js';
export { renderSharePage } from './page.js';

/**
 * A live share and its run's video. Whatever keeps the video from being
 * served (the run gone, not complete, its video deleted) is the share's 404,
 * so a share says nothing of the project behind it. `videoStored: 'checked'`
 * is for a caller that opens the video itself (and so finds it missing).
 */
export async function openSharedRun(
  shareId: Id,
  options: { videoStored?: 'check' | 'checked' } = {},
): Promise<{ share: ShareRecord; video: RunVideo }> {
  const share = await readLiveShare(shareId);
  let video: RunVideo;
  try {
    video = await videoOf(share.projectId, share.runId);
  } catch (error) {
    if (isAppError(error) && error.status < 500) throw shareNotFound();
    throw error;
  }
  if (options.videoStored !== 'checked' && !(await videoIsStored(share.runId))) throw shareNotFound();
  return { share, video };
}
