import { z } from 'zod';
import knownFailures from './known-failures.json' with { type: 'json' };
import type { FailureFacts, Preconditions, Reflection } from './reflection.js';

/** A pattern string of the table, compiled; one that does not compile fails the module's load. */
const patternSchema = z.string().transform((pattern, ctx) => {
  try {
    return new RegExp(pattern);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: String(error) });
    return z.NEVER;
  }
});

const ruleSchema = z.object({
  /** Matched against `${errorClass} ${code} ${step ?? ''}`. */
  when: patternSchema,
  rootCause: z.string().min(1),
  resolution: z.string().min(1),
  prevention: z.string().min(1),
  confidence: z.number().min(0).max(1),
});

type Rule = z.infer<typeof ruleSchema>;

/** The table of known failures as `known-failures.json` holds it, each pattern compiled. */
export const ruleTableSchema = z.array(ruleSchema);

/**
 * Known failures (`known-failures.json`), most specific first. Each names what a person can do;
 * the confidence says how sure the match alone makes us (a code beats a class).
 */
export const RULES: Rule[] = ruleTableSchema.parse(knownFailures);

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
    resolution: {
      value: facts.resolution,
      confidence: facts.resolution
        ? facts.errorClass === 'resource' || facts.errorClass === 'timeout'
          ? 0.7
          : 0.3
        : 0,
    },
    durationSec: {
      value: facts.durationSec,
      confidence: facts.durationSec !== null ? (facts.errorClass === 'timeout' ? 0.7 : 0.2) : 0,
    },
    provider: {
      value: provider,
      confidence: provider ? (facts.errorClass === 'network' || facts.code.startsWith('llm') ? 0.8 : 0.4) : 0,
    },
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
