import type { FailureFacts, Preconditions, Reflection } from './reflection.js';

interface Rule {
  /** Matched against `${errorClass} ${code} ${step ?? ''}`. */
  when: RegExp;
  rootCause: string;
  resolution: string;
  prevention: string;
  confidence: number;
}

/**
 * Known failures, most specific first. Each names what a person can do;
 * the confidence says how sure the match alone makes us (a code beats a class).
 */
export const RULES: Rule[] = [
  {
    when: /\b(ffmpeg_missing|tool_missing)\b/,
    rootCause: 'The ffmpeg binary was not found where the pipeline looked for it.',
    resolution: 'Set FFMPEG_PATH to a working ffmpeg, or ship @ffmpeg-installer/ffmpeg with the function bundle.',
    prevention: 'Check ffmpeg in the health route before runs are accepted, and in the deploy build.',
    confidence: 0.9,
  },
  {
    when: /\bllm_http_error\b/,
    rootCause: 'The language model provider refused or failed the request.',
    resolution: 'Check the provider key and quota; the run can be retried with the local director.',
    prevention: 'Keep the local fallback on, and alert on provider 4xx/5xx rates.',
    confidence: 0.75,
  },
  {
    when: /\b(corrupt_input|media_not_found|no_media)\b/,
    rootCause: 'A photo the run needed was missing or unreadable in storage.',
    resolution: 'Re-upload the photo or start the run without it.',
    prevention: 'Keep runs pinned to photos that exist; check photos when the run is queued.',
    confidence: 0.8,
  },
  {
    when: /^network\b/,
    rootCause: 'A provider or storage could not be reached over the network.',
    resolution: 'Retry the run; if it repeats, check the provider status and DNS.',
    prevention: 'Retry with backoff and fall back to the local provider.',
    confidence: 0.6,
  },
  {
    when: /^timeout\b/,
    rootCause: 'A step took longer than its time limit.',
    resolution: 'Retry with a shorter duration or a lower resolution.',
    prevention: 'Keep renders within the background function budget; prefer 720p for long videos.',
    confidence: 0.6,
  },
  {
    when: /^resource\b/,
    rootCause: 'The function ran out of memory or disk during the step.',
    resolution: 'Retry at a lower resolution or with fewer photos.',
    prevention: 'Pre-resize photos and cap photos per run by resolution.',
    confidence: 0.65,
  },
  {
    when: /^configuration\b/,
    rootCause: 'The service is configured wrongly for this step.',
    resolution: 'Fix the environment variables this step reads, then retry.',
    prevention: 'Validate the configuration at start-up and report it in health.',
    confidence: 0.55,
  },
  {
    when: /^input\b/,
    rootCause: 'The run was asked for something the inputs cannot give.',
    resolution: 'Change the request or the photos and start a new run.',
    prevention: 'Refuse such requests when the run is started, with a 4xx.',
    confidence: 0.5,
  },
  {
    when: /compose$/,
    rootCause: 'Rendering the video failed inside ffmpeg.',
    resolution: 'Retry once; if it repeats, render at 360p to narrow the cause.',
    prevention: 'Keep the filter graph covered by decode tests on both ffmpeg builds.',
    confidence: 0.4,
  },
];

const FALLBACK: Rule = {
  when: /.*/,
  rootCause: 'An unexpected error inside the pipeline.',
  resolution: 'Retry the run; if it fails again, read the episode trace.',
  prevention: 'Turn this failure into a classified error with a test.',
  confidence: 0.3,
};

/** The preconditions known from the run itself, with how surely each one mattered. */
export function preconditionsOf(facts: FailureFacts): Preconditions {
  const provider = facts.step ? (facts.providers[facts.step] ?? null) : null;
  const tool = facts.step === 'compose' || /ffmpeg|tool_missing/.test(facts.code) ? 'ffmpeg' : provider;
  return {
    tool: { value: tool, confidence: tool ? 0.7 : 0 },
    resolution: { value: facts.resolution, confidence: facts.resolution ? (facts.errorClass === 'resource' || facts.errorClass === 'timeout' ? 0.7 : 0.3) : 0 },
    durationSec: { value: facts.durationSec, confidence: facts.durationSec !== null ? (facts.errorClass === 'timeout' ? 0.7 : 0.2) : 0 },
    provider: { value: provider, confidence: provider ? (facts.errorClass === 'network' || facts.code.startsWith('llm') ? 0.8 : 0.4) : 0 },
  };
}

/** The default reflection: a table lookup on class, code and step; never fails. */
export function heuristicReflection(facts: FailureFacts): Reflection {
  const signature = `${facts.errorClass} ${facts.code} ${facts.step ?? ''}`;
  const rule = RULES.find((candidate) => candidate.when.test(signature)) ?? FALLBACK;
  const where = facts.step ? ` (step: ${facts.step})` : '';
  return {
    source: 'heuristic',
    rootCause: { text: `${rule.rootCause}${where}`, confidence: rule.confidence },
    resolutionStrategy: { text: rule.resolution, confidence: Math.max(0.2, rule.confidence - 0.1) },
    prevention: { text: rule.prevention, confidence: Math.max(0.2, rule.confidence - 0.2) },
    preconditions: preconditionsOf(facts),
    resolutions: [],
  };
}
