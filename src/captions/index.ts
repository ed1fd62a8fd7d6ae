import { AppError } from '../errors.js';
import type { CaptionCue } from '../schemas/captions.js';
import type { RunVideo } from '../runs/video.js';
import type { Id } from '../storage/index.js';
import { captionCues, segmentsOf } from './cues.js';
import { readNarrationTiming } from './timing.js';

export { segmentsOf } from './cues.js';
export { toSrt, toWebVtt, SRT_TYPE, WEBVTT_TYPE } from './format.js';
export { narrationTimingDoc, storeNarrationTiming } from './timing.js';

/**
 * A complete run's captions. A run without narration has none (an empty list,
 * served as a valid empty file); once retention has archived the run, its
 * storyboard is gone and so are its captions (404).
 */
export async function readCaptions(projectId: Id, runId: Id, video: RunVideo): Promise<CaptionCue[]> {
  const { storyboard } = video;
  if (!storyboard)
    throw new AppError(
      404,
      'captions_not_found',
      "The run's documents were removed by retention; its video is kept, its captions are not.",
    );
  if (!storyboard.narration.enabled) return [];
  return captionCues({
    segments: segmentsOf(storyboard),
    spoken: await readNarrationTiming(projectId, runId),
    durationSec: video.durationSec,
  });
}
