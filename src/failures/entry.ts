import type { Id } from '../schemas/common.js';
import type { IndexEntry } from './index-store.js';
import type { Reflection } from './reflection.js';
import { packTerms, termFrequencies } from './terms.js';

/** The parts of a failure episode the index reads (the episode schema lives with the pipeline). */
export interface EpisodeLike {
  runId: Id;
  projectId: Id;
  at: string;
  goal: string;
  step: string | null;
  error_class: string;
  code: string;
  message: string;
  error_trace: string;
  tool_chain: string[];
  actions_taken: string[];
  reflection?: Reflection | undefined;
}

/** What similarity is computed over: the goal, the error, the head of the trace, and what was done. */
export function episodeText(
  episode: Pick<
    EpisodeLike,
    'goal' | 'step' | 'error_class' | 'code' | 'message' | 'error_trace' | 'tool_chain' | 'actions_taken'
  >,
): string {
  return [
    episode.goal,
    episode.step ?? '',
    episode.error_class,
    episode.code,
    episode.message,
    episode.error_trace.slice(0, 1200),
    episode.actions_taken.join(' '),
    episode.tool_chain.join(' '),
  ].join('\n');
}

/** The episode's index entry; the operator's resolution (if any) rides along. */
export function entryFromEpisode(episode: EpisodeLike): IndexEntry {
  const pre = episode.reflection?.preconditions;
  const operator = episode.reflection?.resolutions.find((note) => note.source === 'operator');
  return {
    runId: episode.runId,
    projectId: episode.projectId,
    at: episode.at,
    step: episode.step,
    errorClass: episode.error_class,
    code: episode.code,
    message: episode.message.slice(0, 300),
    pre: {
      tool: pre?.tool.value ?? null,
      provider: pre?.provider.value ?? null,
      resolution: pre?.resolution.value ?? null,
      durationSec: pre?.durationSec.value ?? null,
    },
    resolution: operator?.text ?? null,
    terms: packTerms(termFrequencies(episodeText(episode))),
  };
}
