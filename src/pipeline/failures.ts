import { getConfig } from '../config.js';
import { failureIndexSchema, type FailureEpisode } from '../schemas/failure.js';
import { errorFields, log } from '../log.js';
import type { Agent, RunError } from '../schemas/run.js';
import { defineDocument, keys, readJSON, updateJSON, writeJSON, type Id } from '../storage/index.js';
import { learnFromFailure } from '../failures/learn.js';
import { failureDoc } from '../failures/episodes.js';
import type { PipelineError } from './errors.js';

export const failureIndexDoc = defineDocument({ name: 'failure-index', version: 1, schema: failureIndexSchema });

const tokens = (text: string) =>
  new Set(
    text
      .toLowerCase()
      .replace(/[0-9]+/g, '#')
      .split(/[^a-z#_]+/)
      .filter((t) => t.length > 1),
  );

/** Jaccard similarity of the words of two failures (step, class, code and message). */
export function similarity(a: string, b: string): number {
  const left = tokens(a);
  const right = tokens(b);
  if (left.size === 0 || right.size === 0) return 0;
  let shared = 0;
  for (const token of left) if (right.has(token)) shared++;
  return shared / (left.size + right.size - shared);
}

/** Paths and similar details are kept out of what the API shows. */
export const publicMessage = (message: string) => message.replace(/(?:\/[\w.@-]+){2,}/g, '<path>').slice(0, 300);

export interface RecordFailureInput {
  projectId: Id;
  runId: Id;
  step: Agent | null;
  error: PipelineError;
  toolChain: string[];
  actionsTaken: string[];
}

/**
 * Writes the failure episode, adds it to the project's failure index, and
 * returns the run's error with the most similar earlier failures.
 */
export async function recordFailure(input: RecordFailureInput): Promise<RunError> {
  const { projectId, runId, step, error } = input;
  const at = new Date().toISOString();
  const message = publicMessage(error.message);
  const trace = [error.trace, error.stack].filter(Boolean).join('\n').slice(0, 8000);
  const episode: FailureEpisode = {
    runId,
    projectId,
    at,
    goal: 'Render the run’s storyboard into a narrated, scored MP4',
    step,
    error_class: error.errorClass,
    severity: error.severity,
    code: error.code,
    message: error.message.slice(0, 2000),
    error_trace: trace,
    tool_chain: input.toolChain,
    actions_taken: input.actionsTaken,
    environment_info: {
      node: process.version,
      platform: process.platform,
      local: getConfig().SIRTRAV_LOCAL,
      providers: input.toolChain,
    },
  };
  // The reflection and the cross-project index are help, not the record: the episode is written whatever happens to them.
  const learned = await learnFromFailure(episode).catch((failure: unknown) => {
    log.warn('could not reflect on the failure', errorFields(failure));
    return null;
  });
  await writeJSON(keys.runFailure(projectId, runId), failureDoc, {
    ...episode,
    ...(learned ? { reflection: learned.reflection } : {}),
  });
  if (learned)
    await learned
      .index()
      .catch((failure: unknown) => log.warn('could not add the failure to the search index', errorFields(failure)));
  const seenBefore = learned?.reflection.resolutions.find((note) => note.source === 'seen-before');

  const signature = `${step ?? ''} ${error.errorClass} ${error.code} ${message}`;
  const earlier = (await readJSON(keys.failureIndex(projectId), failureIndexDoc))?.value.entries ?? [];
  const similarFailures = earlier
    .filter((entry) => entry.runId !== runId)
    .map((entry) => ({
      runId: entry.runId,
      at: entry.at,
      message: entry.message,
      similarity:
        Math.round(
          similarity(signature, `${entry.step ?? ''} ${entry.errorClass} ${entry.code} ${entry.message}`) * 100,
        ) / 100,
    }))
    .filter((entry) => entry.similarity >= 0.3)
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, 3);

  await updateJSON(keys.failureIndex(projectId), failureIndexDoc, (current) => ({
    entries: [
      ...(current?.entries ?? []).filter((entry) => entry.runId !== runId),
      { runId, at, step, errorClass: error.errorClass, code: error.code, message },
    ].slice(-100),
  }));
  const shown = seenBefore ? `${message} (seen before: ${seenBefore.text.slice(0, 300)})` : message;
  return {
    code: error.code,
    message: shown,
    retryable: error.retryable,
    errorClass: error.errorClass,
    severity: error.severity,
    step,
    similarFailures,
  };
}
