import { getConfig } from '../config.js';
import { readRunState } from '../runs/index.js';
import { entryFromEpisode, episodeText, type EpisodeLike } from './entry.js';
import { putEntry } from './index-store.js';
import { reflectOnFailure } from './llm-reflection.js';
import type { FailureFacts, Reflection } from './reflection.js';
import { searchFailures } from './search.js';

/** How similar an earlier failure must be for its resolution to be offered as "seen before". */
export const SEEN_BEFORE_SCORE = 0.35;

/** "voice:openai" → { voice: "openai" } */
const providersOf = (toolChain: string[]) =>
  Object.fromEntries(toolChain.map((item) => item.split(':')).filter((pair) => pair.length === 2)) as Record<
    string,
    string
  >;

/**
 * Reflects on a new failure episode and looks for its twins in every project:
 * the most similar earlier failure with a recorded resolution puts that
 * resolution first. `index()` then adds the episode to the search index.
 */
export async function learnFromFailure(
  episode: Omit<EpisodeLike, 'reflection'>,
): Promise<{ reflection: Reflection; index: () => Promise<void> }> {
  const state = await readRunState(episode.projectId, episode.runId).catch(() => null);
  const facts: FailureFacts = {
    errorClass: episode.error_class,
    code: episode.code,
    step: episode.step,
    message: episode.message,
    providers: providersOf(episode.tool_chain),
    resolution: state?.request.resolution ?? null,
    durationSec: state?.request.durationSec ?? null,
  };
  const reflection = await reflectOnFailure(facts, getConfig());
  const hits = await searchFailures(
    episodeText(episode),
    {
      step: episode.step,
      errorClass: episode.error_class,
      code: episode.code,
      provider: reflection.preconditions.provider.value,
      tool: reflection.preconditions.tool.value,
    },
    { limit: 10, exclude: episode.runId },
  );
  const twin = hits.find((hit) => hit.entry.resolution && hit.score >= SEEN_BEFORE_SCORE);
  if (twin)
    reflection.resolutions = [
      {
        text: twin.entry.resolution!,
        source: 'seen-before',
        runId: twin.entry.runId,
        projectId: twin.entry.projectId,
        at: twin.entry.at,
      },
    ];
  return { reflection, index: () => putEntry(entryFromEpisode({ ...episode, reflection })) };
}
